/* SENACS — menu principal repliable sur petit écran.
 *
 * Sans JavaScript, le menu reste déplié (toutes les entrées visibles). Avec JavaScript, sous 40rem de
 * large, un bouton « Menu » (aria-expanded) le replie et le déplie ; au-delà, le menu est toujours déplié.
 */
(function () {
  "use strict";

  function initialiser() {
    var bouton = document.querySelector(".nav-bascule");
    var menu = document.getElementById("menu-principal");
    if (!bouton || !menu) {
      return;
    }
    var etroit = window.matchMedia("(max-width: 40rem)");

    function appliquer(ouvert) {
      bouton.setAttribute("aria-expanded", ouvert ? "true" : "false");
      menu.classList.toggle("nav-principale__liste--repliee", !ouvert);
    }

    function adapter() {
      bouton.hidden = !etroit.matches;
      appliquer(!etroit.matches);
    }

    bouton.addEventListener("click", function () {
      appliquer(bouton.getAttribute("aria-expanded") !== "true");
    });
    if (etroit.addEventListener) {
      etroit.addEventListener("change", adapter);
    }
    adapter();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initialiser);
  } else {
    initialiser();
  }
})();
