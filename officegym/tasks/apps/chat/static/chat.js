// Chat: open a conversation at its newest message, or at the message its link names.
// Nothing takes focus on load: a page prepared in the background would get it or not by timing,
// and the observation (which marks the focused element) must not depend on that.
(() => {
  const list = document.querySelector(".messages");
  if (!list) return;
  const target = location.hash && document.getElementById(location.hash.slice(1));
  if (target) target.scrollIntoView({block: "center"});
  else list.scrollTop = list.scrollHeight;
})();
