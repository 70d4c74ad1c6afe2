// The theme follows the OS unless the person picked one; the choice stays on this machine.
export type Theme = "system" | "light" | "dark";

export function storedTheme(): Theme {
  const value = localStorage.getItem("latchkey-theme");
  return value === "light" || value === "dark" ? value : "system";
}

export function applyTheme(theme: Theme): void {
  localStorage.setItem("latchkey-theme", theme);
  if (theme === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}
