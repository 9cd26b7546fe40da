/* NVOS Kodning: small behaviours shared by every page. No inline scripts (CSP). */
(function () {
  "use strict";

  // Buttons and forms with data-confirm ask before they act (works with and without htmx).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Selects marked data-autosubmit submit their form on change (a visible button remains for keyboards).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
    }
  });

  // Ordinary form posts (uploads, exports) also show the indicator until the next page
  // arrives; a download leaves the page in place, so the indicator goes after a while.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) { return; }
    document.body.classList.add("htmx-request");
    window.setTimeout(function () { document.body.classList.remove("htmx-request"); }, 15000);
  });

  // A visible "working" indicator on the whole page while any htmx request runs.
  document.addEventListener("htmx:beforeRequest", function () { document.body.classList.add("htmx-request"); });
  document.addEventListener("htmx:afterRequest", function () { document.body.classList.remove("htmx-request"); });

  // Server errors on htmx requests become a visible message instead of silence.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var text = xhr.getResponseHeader("X-NVOS-Error") ? decodeURIComponent(xhr.getResponseHeader("X-NVOS-Error")) : null;
    showFlash(text || (document.documentElement.lang === "en" ? "Something went wrong. Nothing was saved." : "Något gick fel. Ingenting sparades."), "error");
  });

  function showFlash(text, kind) {
    var main = document.getElementById("main");
    if (!main) { return; }
    var list = main.querySelector(".messages");
    if (!list) {
      list = document.createElement("ul");
      list.className = "messages";
      list.setAttribute("role", "status");
      main.insertBefore(list, main.firstChild);
    }
    var item = document.createElement("li");
    item.className = "message message-" + (kind || "info");
    item.textContent = text;
    list.appendChild(item);
    window.setTimeout(function () { item.remove(); }, 8000);
  }
  window.nvosFlash = showFlash;
})();
