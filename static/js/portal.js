// Progressive enhancement only: every page works without this file.
// Move focus to the error summary so screen readers announce what went wrong.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});
