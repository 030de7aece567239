// "Copy all": puts the playlist's spotify:track: links on the clipboard.
// Served from this server (the page's CSP allows only same-origin scripts). Without
// scripts the button stays hidden and the text box below holds the same lines.
(function () {
  "use strict";
  var button = document.getElementById("copy-all");
  var box = document.getElementById("uris");
  var status = document.getElementById("copy-status");
  if (!button || !box) {
    return;
  }
  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }
  function copied() {
    say(button.getAttribute("data-copied") || "");
  }
  function selectBox() {
    box.focus();
    box.select();
  }
  function fallback() {
    selectBox();
    var done = false;
    try {
      done = document.execCommand("copy");
    } catch (error) {
      done = false;
    }
    if (done) {
      copied();
    } else {
      say(button.getAttribute("data-selected") || "");
    }
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(box.value).then(copied, fallback);
    } else {
      fallback();
    }
  });
}());
