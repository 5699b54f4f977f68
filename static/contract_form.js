// The contract forms without round trips: budget rows are added and removed in place, the
// coordinating site cannot be ticked as associated, and only the taking-part sites ask for an
// investigator. Without JavaScript the same buttons submit the form and the server does it.
(function () {
  "use strict";
  var form = document.getElementById("contract-form");
  if (!form) { return; }

  function rows() { return form.querySelectorAll("tr.budget-row"); }

  // Labels say "Item, row 2": keep the numbers in step with the rows shown.
  function relabel() {
    rows().forEach(function (row, index) {
      row.querySelectorAll("label, button .visually-hidden").forEach(function (el) {
        el.textContent = el.textContent.replace(/\d+(\s*)$/, String(index + 1) + "$1");
      });
    });
  }

  function renumber(row, index) {
    row.querySelectorAll("[id], [name], [for], [aria-describedby]").forEach(function (el) {
      ["id", "name", "for", "aria-describedby"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) { el.setAttribute(attr, value.replace(/budget-\d+-/g, "budget-" + index + "-")); }
      });
    });
  }

  function addRow() {
    var all = rows();
    var last = all[all.length - 1];
    var copy = last.cloneNode(true);
    var highest = 0;
    all.forEach(function (row) {
      var input = row.querySelector("input[name^='budget-']");
      var match = input && input.name.match(/budget-(\d+)-/);
      if (match) { highest = Math.max(highest, parseInt(match[1], 10)); }
    });
    renumber(copy, highest + 1);
    copy.querySelectorAll("input").forEach(function (input) {
      input.value = "";
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    });
    copy.querySelectorAll(".error").forEach(function (p) { p.remove(); });
    copy.querySelectorAll(".has-error").forEach(function (td) { td.classList.remove("has-error"); });
    last.parentNode.appendChild(copy);
    relabel();
    copy.querySelector("input").focus();
  }

  function removeRow(row) {
    if (rows().length > 1) {
      row.remove();
    } else {
      row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
    }
    relabel();
    var add = form.querySelector("button.add-row");
    if (add) { add.focus(); }
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) { return; }
    if (button.classList.contains("add-row")) {
      event.preventDefault();
      addRow();
    } else if (button.classList.contains("remove-row")) {
      event.preventDefault();
      removeRow(button.closest("tr"));
    }
  });

  var coordinating = document.getElementById("coordinating_site");
  var associated = document.getElementById("associated-sites");

  function sitesTakingPart() {
    var taking = [coordinating.value];
    associated.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      box.disabled = box.value === coordinating.value;
      if (box.disabled) { box.checked = false; }
      if (box.checked) { taking.push(box.value); }
    });
    form.querySelectorAll(".investigator[data-site]").forEach(function (line) {
      var shown = taking.indexOf(line.getAttribute("data-site")) >= 0;
      line.hidden = !shown;
      line.querySelectorAll("input").forEach(function (input) { input.disabled = !shown; });
    });
  }

  if (coordinating && associated) {
    coordinating.addEventListener("change", sitesTakingPart);
    associated.addEventListener("change", sitesTakingPart);
    sitesTakingPart();
  }
}());
