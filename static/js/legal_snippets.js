// Progressive enhancement only: without this file, "insert" sends the form, which comes back
// with the snippet added after what was typed. With it, the snippet is added in place.
document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector('button[name="insert"]');
  var choice = document.getElementById("snippet");
  var body = document.getElementById("body");
  if (!button || !choice || !body) {
    return;
  }
  button.addEventListener("click", function (event) {
    var kept = document.querySelector('[data-snippet="' + choice.value + '"]');
    if (!choice.value || !kept) {
      return; // the server says what is wrong
    }
    event.preventDefault();
    var typed = body.value.replace(/\s+$/, "");
    body.value = typed ? typed + "\n\n" + kept.textContent : kept.textContent;
    choice.value = "";
    body.focus();
  });
});
