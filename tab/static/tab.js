// The tab's only script (no inline scripts: see the Content-Security-Policy). It signs in with
// Teams SSO (or, in local mode, sends the person picked in the try-out), then loads the page's
// content with htmx, adding the token to every request.
(function () {
  "use strict";
  var loader = null;
  var tokenPromise = null;

  function localAs() {
    var l = document.getElementById("loader");
    var fromPage = l ? l.getAttribute("data-as") : "";
    if (fromPage) { sessionStorage.setItem("tab-as", fromPage); }
    return fromPage || sessionStorage.getItem("tab-as") || "";
  }

  function isLocal() {
    var l = document.getElementById("loader");
    return !window.microsoftTeams || (l && l.getAttribute("data-local") === "yes");
  }

  function token() {
    if (!tokenPromise) {
      var teams = window.microsoftTeams;
      tokenPromise = teams.app.initialize().then(function () {
        return teams.authentication.getAuthToken();
      });
      tokenPromise.catch(function () { tokenPromise = null; });
    }
    return tokenPromise;
  }

  function withAuth(headers) {
    if (isLocal()) {
      headers["X-Tab-As"] = localAs();
      return Promise.resolve(headers);
    }
    return token().then(function (t) { headers["Authorization"] = "Bearer " + t; return headers; });
  }

  function show(text) {
    var main = document.getElementById("content");
    main.textContent = "";
    var div = document.createElement("div");
    div.className = "message";
    div.setAttribute("role", "alert");
    var p = document.createElement("p");
    p.textContent = text;
    div.appendChild(p);
    main.appendChild(div);
  }

  function load(src) {
    withAuth({}).then(function (headers) {
      return htmx.ajax("GET", src, { target: "#content", swap: "innerHTML", headers: headers });
    }).catch(function () {
      show("Sign-in failed. Open this tab in Microsoft Teams, or ask your administrator.");
    });
  }

  // htmx requests from links and forms: hold each until the token is ready.
  document.addEventListener("htmx:confirm", function (evt) {
    if (evt.detail.elt && evt.detail.elt.hasAttribute && evt.detail.elt.hasAttribute("data-authed")) {
      return;
    }
    evt.preventDefault();
    withAuth({}).then(function (headers) {
      evt.detail.elt.setAttribute("data-authed", "yes");
      window.__tabHeaders = headers;
      evt.detail.issueRequest(true);
      evt.detail.elt.removeAttribute("data-authed");
    }).catch(function () { show("Sign-in failed."); });
  });
  document.addEventListener("htmx:configRequest", function (evt) {
    var h = window.__tabHeaders || {};
    Object.keys(h).forEach(function (k) { evt.detail.headers[k] = h[k]; });
  });
  document.addEventListener("htmx:responseError", function (evt) {
    var status = evt.detail.xhr.status;
    if (status === 401) { show("Sign-in failed. Open this tab in Microsoft Teams."); return; }
    var target = document.getElementById("content");
    target.innerHTML = evt.detail.xhr.responseText;
  });
  document.addEventListener("htmx:afterSwap", function (evt) {
    if (evt.detail.target && evt.detail.target.id === "content") {
      var h1 = document.querySelector("#content h1");
      document.title = (h1 ? h1.textContent + " · " : "") + "Safeguarding Tracker";
    }
  });

  // Downloads: fetch with the token, then save the file.
  document.addEventListener("click", function (evt) {
    var el = evt.target.closest ? evt.target.closest("[data-download]") : null;
    if (el) {
      evt.preventDefault();
      withAuth({}).then(function (headers) {
        return fetch(el.getAttribute("data-download"), { headers: headers });
      }).then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        var name = (r.headers.get("Content-Disposition") || "").split('filename="')[1] || "tracker";
        return r.blob().then(function (b) {
          var a = document.createElement("a");
          a.href = URL.createObjectURL(b);
          a.download = name.replace(/"$/, "");
          document.body.appendChild(a);
          a.click();
          setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
        });
      }).catch(function () { show("The download failed. Try again."); });
      return;
    }
    var printer = evt.target.closest ? evt.target.closest("[data-print]") : null;
    if (printer) { window.print(); }
  });

  // Channel tab configuration page.
  function configure() {
    var teams = window.microsoftTeams;
    if (!teams) { return; }
    teams.app.initialize().then(function () {
      teams.pages.config.registerOnSaveHandler(function (save) {
        var base = window.location.origin + "/tab/";
        teams.pages.config.setConfig({
          entityId: "tracker", contentUrl: base, websiteUrl: base, suggestedDisplayName: "Tracker"
        }).then(function () { save.notifySuccess(); });
      });
      teams.pages.config.setValidityState(true);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.getElementById("configure")) { configure(); return; }
    loader = document.getElementById("loader");
    if (loader) { load(loader.getAttribute("data-src")); }
  });
})();
