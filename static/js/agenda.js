/* My agenda: star buttons that toggle in place.
 *
 * Each button says what it will do: "Star" (value "add") or "Remove from my agenda" (value "remove");
 * the other label waits in its data-other attribute. The server marks the starred sessions in every
 * page from the "agenda" cookie ("12-15-40"), so the buttons are right without this script too. The
 * script posts the button's action, switches the button without a reload, keeps the focus on it,
 * shows the clash warning the server sends, and puts the buttons in step with the cookie when a page
 * comes back from the back-forward cache.
 */
(function () {
  "use strict";

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

  function buttonOf(form) {
    return form.querySelector("button.star-button");
  }

  function setStarred(form, starred) {
    var button = buttonOf(form);
    var label = button.querySelector(".star-label");
    if ((button.value === "remove") === starred) {
      return;
    }
    var other = label.getAttribute("data-other");
    label.setAttribute("data-other", label.textContent);
    label.textContent = other;
    button.value = starred ? "remove" : "add";
  }

  function showState(ids) {
    var forms = document.querySelectorAll("form.agenda-star");
    Array.prototype.forEach.call(forms, function (form) {
      setStarred(form, ids.indexOf(form.getAttribute("data-agenda-session")) !== -1);
    });
  }

  function clearNotice(form) {
    var notice = form.querySelector(".agenda-clash");
    if (notice) {
      notice.parentNode.removeChild(notice);
    }
    buttonOf(form).removeAttribute("aria-describedby");
  }

  function showNotice(form, html) {
    clearNotice(form);
    if (!html) {
      return;
    }
    var template = document.createElement("template");
    template.innerHTML = html; // the server's markup: escaped text and links, no script
    var notice = template.content.firstElementChild;
    // An empty live region first, filled a moment later, so that screen readers announce it.
    var region = notice.cloneNode(false);
    form.appendChild(region);
    buttonOf(form).setAttribute("aria-describedby", region.id);
    window.setTimeout(function () {
      while (notice.firstChild) {
        region.appendChild(notice.firstChild);
      }
    }, 100);
  }

  function submitPlainly(form, action) {
    // Let the server answer the plain form instead (it explains a full agenda, for one).
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "action";
    input.value = action;
    form.appendChild(input);
    form.submit();
  }

  function toggle(form) {
    var button = buttonOf(form);
    var action = button.value;
    var data = new FormData(form);
    data.set("action", action);
    // The button stays enabled (a disabled button drops the focus); a second press waits for the first.
    form.setAttribute("aria-busy", "true");
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
        form.removeAttribute("aria-busy");
        showState(result.sessions.map(String));
        if (result.starred) {
          showNotice(form, result.notice);
        } else {
          clearNotice(form);
        }
      })
      .catch(function () {
        form.removeAttribute("aria-busy");
        submitPlainly(form, action);
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("agenda-star") || !window.fetch) {
      return;
    }
    event.preventDefault();
    if (form.getAttribute("aria-busy") !== "true") {
      toggle(form);
    }
  });

  // When the page comes back from the back-forward cache, another page may have changed the agenda.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      showState(starredIds());
    }
  });
  showState(starredIds());
  document.documentElement.setAttribute("data-agenda", "ready");
})();
