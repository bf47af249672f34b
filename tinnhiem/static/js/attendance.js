// Attendance on the conference page: "Chọn tất cả" ticks every box (without this script the
// same button saves everyone as present), and the count of ticked boxes follows each tap.
// The server renders the count after every save; this only keeps it current in between.
(function () {
  "use strict";
  var list = document.getElementById("attendance-list");
  if (!list) { return; }
  var boxes = list.querySelectorAll('input[type="checkbox"][name="present"]');
  var shown = list.querySelector("[data-ticked]");
  var all = document.getElementById("select-all");

  function recount() {
    var ticked = 0;
    for (var i = 0; i < boxes.length; i++) { if (boxes[i].checked) { ticked++; } }
    shown.textContent = String(ticked);
  }

  // A plain button now: as the form's first submit button it would also take the Enter
  // pressed in the count field below (implicit submission) and tick everyone.
  all.type = "button";
  list.addEventListener("change", recount);
  all.addEventListener("click", function (event) {
    event.preventDefault();  // tick only: saved with the rest, once exceptions are unticked
    for (var i = 0; i < boxes.length; i++) { boxes[i].checked = true; }
    recount();
  });
}());
