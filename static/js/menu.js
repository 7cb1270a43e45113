// The phone menu is a <details>: it opens and closes without JavaScript. On wider
// screens the links are always shown; browsers that cannot show a closed <details>'s
// content through CSS (::details-content) get it opened here instead.
(function () {
  "use strict";
  var menu = document.querySelector("details.site-menu");
  if (!menu || !window.matchMedia) { return; }
  var wide = window.matchMedia("(min-width: 48.01rem)");
  var sync = function () { if (wide.matches) { menu.open = true; } };
  sync();
  if (wide.addEventListener) { wide.addEventListener("change", sync); }
})();
