// The role fields of the users pages: the site is asked only of legal staff and managers, the
// sponsor only of sponsor users. A field that does not apply is hidden and left out of the form,
// unless the server named a problem in it. Without JavaScript both show and the server checks them.
(function () {
  "use strict";
  var role = document.getElementById("role");
  var site = document.getElementById("site");
  var sponsor = document.getElementById("sponsor");
  if (!role || !site || !sponsor || role.disabled) { return; }
  var SITE_ROLES = ["legal", "manager"];

  function show(input, wanted) {
    var field = input.closest(".field");
    var keep = wanted || field.querySelector(".error") !== null;
    field.hidden = !keep;
    input.disabled = !keep;
  }

  function update() {
    show(site, SITE_ROLES.indexOf(role.value) >= 0);
    show(sponsor, role.value === "sponsor");
  }

  role.addEventListener("change", update);
  update();
}());
