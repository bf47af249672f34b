// The staff pages' file fields (templates/_form.html file_field) hide the browser's own
// button, which speaks the browser's language: the chosen file's name is written beside ours.
(function () {
  function show(input) {
    var out = document.getElementById(input.getAttribute("data-chosen"));
    var names = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
    if (out) { out.textContent = names.length ? names.join(", ") : out.getAttribute("data-empty"); }
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[type=file][data-chosen]")) {
      show(event.target);
    }
  });
  // A page come back to (the back button) may keep a file chosen before.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("input[type=file][data-chosen]").forEach(show);
  });
})();
