/**
 * Page-level refusals that hold in web mode too, where no Electron shell stands guard: the app
 * never opens windows and never leaves its own origin. (In Electron the shell refuses both
 * again, before Chromium acts.)
 */

interface NavigateEvent extends Event {
  destination: { url: string };
  cancelable: boolean;
}

export function installPageGuards(win: Window): void {
  win.open = () => null;
  const navigation = (win as Window & { navigation?: EventTarget }).navigation;
  navigation?.addEventListener('navigate', (event) => {
    const e = event as NavigateEvent;
    if (e.cancelable && new URL(e.destination.url).origin !== win.location.origin) e.preventDefault();
  });
  // A file dropped outside a drop zone would otherwise replace the page with the file.
  for (const type of ['dragover', 'drop']) win.addEventListener(type, (e) => e.preventDefault());
}
