// Live camera alerts on the dashboard: a websocket to /ws/cameras/alerts/ that prepends each new
// alert to the table and refreshes the totals. Text is inserted with textContent only.
(function () {
  "use strict";
  const rows = document.getElementById("alert-rows");
  const status = document.getElementById("live-status");
  if (!rows) return;
  const csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";
  let delay = 1000;

  function cell(text, className) {
    const td = document.createElement("td");
    if (className) td.className = className;
    td.textContent = text;
    return td;
  }

  function setTotals(totals) {
    Object.entries(totals || {}).forEach(([key, value]) => {
      document.querySelectorAll(`[data-total="${key}"]`).forEach((el) => { el.textContent = value; });
    });
  }

  function bump(key, delta) {
    document.querySelectorAll(`[data-total="${key}"]`).forEach((el) => {
      el.textContent = Math.max(0, parseInt(el.textContent, 10) + delta);
    });
  }

  function addAlert(alert) {
    if (rows.querySelector(`[data-alert-id="${alert.id}"]`)) return;
    rows.querySelectorAll(".empty-row").forEach((el) => el.remove());
    const tr = document.createElement("tr");
    tr.dataset.alertId = alert.id;
    tr.className = "table-warning";
    tr.appendChild(cell(alert.created_at_display, "text-nowrap"));
    const kind = cell("");
    const badge = document.createElement("span");
    badge.className = "badge text-bg-" + (alert.kind === "offline" ? "danger" : "success");
    badge.textContent = alert.kind_display;
    kind.appendChild(badge);
    tr.appendChild(kind);
    const cam = cell("");
    const link = document.createElement("a");
    link.href = alert.camera.url;
    link.textContent = alert.camera.name;
    cam.appendChild(link);
    tr.appendChild(cam);
    tr.appendChild(cell(alert.camera.site));
    tr.appendChild(cell(alert.message, "small text-muted"));
    const action = cell("", "text-end");
    if (rows.dataset.canAck === "1") {
      const form = document.createElement("form");
      form.method = "post";
      form.action = rows.dataset.ackUrl.replace("/0/", `/${alert.id}/`);
      [["csrfmiddlewaretoken", csrf], ["next", rows.dataset.next]].forEach(([name, value]) => {
        const input = document.createElement("input");
        input.type = "hidden"; input.name = name; input.value = value;
        form.appendChild(input);
      });
      const button = document.createElement("button");
      button.type = "submit"; button.className = "btn btn-sm btn-outline-primary";
      button.textContent = rows.dataset.ackLabel;
      form.appendChild(button);
      action.appendChild(form);
    }
    tr.appendChild(action);
    rows.prepend(tr);
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/cameras/alerts/`);
    socket.onopen = () => {
      delay = 1000;
      status.className = "badge text-bg-success";
      status.textContent = status.dataset.labelLive;
    };
    socket.onmessage = (message) => {
      const event = JSON.parse(message.data);
      if (event.type === "cameras.snapshot") {
        setTotals(event.data.totals);
        (event.data.alerts || []).slice().reverse().forEach(addAlert);
      }
      if (event.type === "camera.alert" && !rows.querySelector(`[data-alert-id="${event.data.id}"]`)) {
        addAlert(event.data);
        // Keep the counters in step; the snapshot after any reconnect makes them exact again.
        const step = event.data.kind === "offline" ? 1 : -1;
        bump("offline", step);
        bump("online", -step);
        bump("working", -step);
      }
    };
    socket.onclose = (event) => {
      status.className = "badge text-bg-secondary";
      status.textContent = status.dataset.labelOff;
      if (event.code === 4401 || event.code === 4403) return;  // not allowed: do not retry
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
