// On a phone the main menu starts folded under its "Menu" switch (a <details>, so it opens with the
// keyboard too); wider screens keep it open. Without this script the menu simply stays open.
(function () {
  var menu = document.querySelector("header.top details.menu");
  if (!menu || !window.matchMedia) { return; }
  var phone = window.matchMedia("(max-width: 640px)");
  function fit() { menu.open = !phone.matches; }
  fit();
  if (phone.addEventListener) { phone.addEventListener("change", fit); }
})();
