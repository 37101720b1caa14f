// A busy state for slow actions (drafting the minutes, the first PDF of a document, an export).
// Mark a form's submit button or a link with data-busy="<text to show while busy>" (translated in the
// template). On activation the element is disabled (aria-busy, aria-disabled), shows a spinner and the
// text, and a second click or submit is ignored.
//
// A form or a link that leaves the page needs nothing more: the page goes, and if the browser brings
// it back from its back/forward cache, `pageshow` restores the element. A link to a file (PDF, XLSX)
// does not leave the page: the link carries `busy=<random token>` and the server answers with a short-
// lived cookie `portal_busy=<token>` (common.middleware.BusyTokenMiddleware); the element is restored
// when that cookie arrives, and after MAX_WAIT_MS at the latest.
//
// No inline script or handler: the Content-Security-Policy forbids them.
(function () {
  "use strict";
  const COOKIE = "portal_busy";
  const PARAM = "busy";
  const MAX_WAIT_MS = 60000;
  const POLL_MS = 200;
  const waiting = new Map(); // element → {token, timer, started}

  function newToken() {
    const bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  function cookieValue() {
    const found = document.cookie.split("; ").find(function (c) { return c.indexOf(COOKIE + "=") === 0; });
    return found ? found.slice(COOKIE.length + 1) : "";
  }

  function clearCookie() {
    document.cookie = COOKIE + "=; Max-Age=0; Path=/; SameSite=Lax";
  }

  function isBusy(element) {
    return element.getAttribute("aria-busy") === "true";
  }

  function showBusy(element) {
    const text = element.dataset.busy || element.textContent.trim();
    element.dataset.busyRestore = element.innerHTML;
    element.setAttribute("aria-busy", "true");
    element.setAttribute("aria-disabled", "true");
    element.classList.add("is-busy");
    if (element.tagName === "A") {
      element.classList.add("disabled");
      element.setAttribute("tabindex", "-1");
    }
    const spinner = document.createElement("span");
    spinner.className = "spinner-border spinner-border-sm me-1";
    spinner.setAttribute("aria-hidden", "true");
    const label = document.createElement("span");
    label.setAttribute("role", "status");
    label.textContent = text;
    element.replaceChildren(spinner, label);
  }

  function restore(element) {
    const wait = waiting.get(element);
    if (wait) {
      window.clearInterval(wait.timer);
      waiting.delete(element);
    }
    if (!isBusy(element)) return;
    if (element.dataset.busyRestore !== undefined) element.innerHTML = element.dataset.busyRestore;
    delete element.dataset.busyRestore;
    if (element.dataset.busyHref) {
      element.setAttribute("href", element.dataset.busyHref);
      delete element.dataset.busyHref;
    }
    element.removeAttribute("aria-busy");
    element.removeAttribute("aria-disabled");
    element.classList.remove("is-busy", "disabled");
    element.removeAttribute("tabindex");
    if (element.tagName === "BUTTON" || element.tagName === "INPUT") element.disabled = false;
  }

  function waitForAnswer(element, token) {
    const started = Date.now();
    const timer = window.setInterval(function () {
      if (cookieValue() === token) {
        clearCookie();
        restore(element);
      } else if (Date.now() - started > MAX_WAIT_MS) {
        restore(element);
      }
    }, POLL_MS);
    waiting.set(element, { token: token, timer: timer });
  }

  // Links: a plain left click only (a click with a modifier opens a new tab or window: nothing waits).
  document.addEventListener("click", function (event) {
    const link = event.target.closest("a[data-busy]");
    if (!link) return;
    if (isBusy(link)) {
      event.preventDefault();
      return;
    }
    if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      return;
    }
    const token = newToken();
    const url = new URL(link.href, window.location.href);
    url.searchParams.set(PARAM, token);
    link.dataset.busyHref = link.getAttribute("href");
    // The browser follows the href as it is after this handler: the link now carries the token.
    link.setAttribute("href", url.pathname + url.search + url.hash);
    showBusy(link);
    waitForAnswer(link, token);
  });

  // Forms: the button that submitted (or the form's marked button when Enter submitted it).
  document.addEventListener("submit", function (event) {
    const form = event.target;
    const button = (event.submitter && event.submitter.matches("[data-busy]") && event.submitter)
      || (!event.submitter && form.querySelector("button[data-busy], input[data-busy]"));
    const pending = form.querySelector('[aria-busy="true"]');
    if (pending) {
      event.preventDefault(); // submitted already: the answer is on its way
      return;
    }
    if (!button || event.defaultPrevented) return;
    showBusy(button);
    // Disabled now, the button would drop out of the submitted data (its name and value): after the
    // form data is taken.
    window.setTimeout(function () { button.disabled = true; }, 0);
    window.setTimeout(function () { restore(button); }, MAX_WAIT_MS);
  });

  // Back or forward to a page kept in the browser's cache: nothing is busy any more.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll('[data-busy][aria-busy="true"]').forEach(restore);
  });
})();
