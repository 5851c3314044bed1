// Progressive enhancement of the coordinator's check-in page: the page works without this
// file (a <noscript> refresh reloads it when the code changes). With it, only the code and
// the roster are replaced, each time the code changes, so the page never jumps or reloads
// under the coordinator's finger.
(function () {
  var page = document.querySelector("[data-check-in]");
  if (!page) {
    return;
  }
  function refresh() {
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.redirected) {
          // The coordinator's session has ended (sent to sign in): a code left on screen
          // would no longer work, so open the sign-in page, which returns here.
          window.location.reload();
          return Promise.reject("signed out");
        }
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ["[data-check-code]", "[data-roster]"].forEach(function (selector) {
          var now = document.querySelector(selector);
          var next = fresh.querySelector(selector);
          if (now && next) {
            now.innerHTML = next.innerHTML;
          }
        });
        var seconds = fresh.querySelector("[data-check-in]");
        schedule(seconds ? Number(seconds.getAttribute("data-check-in")) : 30);
      })
      .catch(function () {
        schedule(5);
      });
  }
  function schedule(seconds) {
    window.setTimeout(refresh, Math.max(1, seconds) * 1000);
  }
  schedule(Number(page.getAttribute("data-check-in")));
})();
