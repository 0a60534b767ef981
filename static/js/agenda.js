/* My agenda: star buttons that toggle in place.
 *
 * The starred session ids live in the "agenda" cookie ("12-15-40"), which the server sets. Pages may
 * come from a shared cache, so the server renders every star in a neutral state; this script reads
 * the cookie and sets each button's aria-pressed. Without JavaScript the forms post to the same
 * endpoint and come back to the page.
 */
(function () {
  "use strict";

  var COOKIE = "agenda";
  var SESSION_ID = /^[1-9][0-9]{0,17}$/;

  function starredIds() {
    var match = document.cookie.match(/(?:^|;\s*)agenda=([^;]*)/);
    if (!match) {
      return [];
    }
    return decodeURIComponent(match[1])
      .replace(/"/g, "")
      .split(/[-,]/)
      .filter(function (part) {
        return SESSION_ID.test(part);
      });
  }

  function showState(ids) {
    var forms = document.querySelectorAll("form.agenda-star");
    Array.prototype.forEach.call(forms, function (form) {
      var button = form.querySelector("button");
      var pressed = ids.indexOf(form.getAttribute("data-agenda-session")) !== -1;
      button.setAttribute("aria-pressed", pressed ? "true" : "false");
    });
  }

  function toggle(form) {
    var button = form.querySelector("button");
    var data = new FormData(form);
    data.set("action", button.getAttribute("aria-pressed") === "true" ? "remove" : "add");
    button.disabled = true;
    return fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("agenda: " + response.status);
        }
        return response.json();
      })
      .then(function (result) {
        button.disabled = false;
        showState(result.sessions.map(String));
      })
      .catch(function () {
        // Let the server answer the plain form instead (it explains a full agenda, for one).
        button.disabled = false;
        form.submit();
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("agenda-star") || !window.fetch) {
      return;
    }
    event.preventDefault();
    toggle(form);
  });

  // Also when the page comes back from the back-forward cache, since another page may have changed the agenda.
  window.addEventListener("pageshow", function () {
    showState(starredIds());
  });
  showState(starredIds());
  document.documentElement.setAttribute("data-" + COOKIE, "ready");
})();
