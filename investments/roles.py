"""What each role may do with the catalogue, plans, phases, lines, allocations and spending."""

from accounts.roles import Role, edit_perms, view_perms

APP = "investments"
CATALOGUE = ("catalogueitem", "itemprice", "standardkit", "kitline")
PLANS = ("investmentplan", "phase", "planline", "allocation", "spending")
READ_ONLY = ("planreuse", "planrevision")

GRANTS = {
    Role.ADMINISTRATOR: [
        *edit_perms(APP, *CATALOGUE, *PLANS),
        *view_perms(APP, *READ_ONLY),
        f"{APP}.approve_investmentplan",
    ],
    # The Finance-Planning office keeps the catalogue, drafts the plans and arranges the money.
    Role.FINANCE: [*edit_perms(APP, *CATALOGUE, *PLANS), *view_perms(APP, *READ_ONLY)],
    # Leaders read everything and approve plans.
    Role.LEADER: [*view_perms(APP, *CATALOGUE, *PLANS, *READ_ONLY), f"{APP}.approve_investmentplan"],
    # A commune officer reads the lines planned for the commune's own sites (scoped by unit).
    Role.COMMUNE_OFFICER: view_perms(APP, "planline"),
}
