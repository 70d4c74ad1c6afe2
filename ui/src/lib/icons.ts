// The app's icons: simple stroked 24×24 outlines drawn for Latchkey, shipped inside the bundle
// (nothing is fetched). Each is one SVG path; `Icon.svelte` draws it in the current text colour.
const CIRCLE = (cx: number, cy: number, r: number) => `M${cx - r} ${cy}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0`;

export const icons = {
  overview: "M3 21h18M6 17v-5M11 17V6M16 17v-8M21 17v-3",
  key: `${CIRCLE(7, 16, 4)}M10 13l10-10M15 8l3 3M18 5l2 2`,
  bell: "M6 16v-5a6 6 0 0 1 12 0v5l2 2H4zM10 21h4",
  systems: "M4 4h16v6H4zM4 14h16v6H4zM8 7h.01M8 17h.01",
  accounts: `${CIRCLE(9, 8, 4)}M2 21v-1a6 6 0 0 1 12 0v1M16 4a4 4 0 0 1 0 8M22 21v-1a6 6 0 0 0-4-5.6`,
  audit: "M9 6h12M9 12h12M9 18h12M4 6h.01M4 12h.01M4 18h.01",
  settings: "M4 6h9M17 6h3M15 4v4M4 12h3M11 12h9M9 10v4M4 18h11M19 18h1M17 16v4",
  lock: "M5 11h14v10H5zM8 11V7a4 4 0 0 1 8 0v4",
  signOut: "M10 21H5V3h5M16 17l5-5-5-5M21 12H9",
  keyboard: "M2 6h20v12H2zM6 10h.01M10 10h.01M14 10h.01M18 10h.01M7 14h10",
  plus: "M12 5v14M5 12h14",
  rotate: "M20 11a8 8 0 0 0-14.9-3.5M4 4v4h4M4 13a8 8 0 0 0 14.9 3.5M20 20v-4h-4",
  revoke: `${CIRCLE(12, 12, 9)}M5.6 5.6l12.8 12.8`,
  trash: "M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3",
  copy: "M9 9h11v11H9zM5 15H4V4h11v1",
  check: "M5 12l5 5L20 7",
  active: `${CIRCLE(12, 12, 9)}M8 12l3 3 5-6`,
  clock: `${CIRCLE(12, 12, 9)}M12 7v5l3 2`,
  alert: "M12 3L2 20h20zM12 9v5M12 17h.01",
  expired: "M7 3h10M7 21h10M8 3v3l4 6-4 6v3M16 3v3l-4 6 4 6v3",
  info: `${CIRCLE(12, 12, 9)}M12 11v6M12 7.5h.01`,
  search: `${CIRCLE(11, 11, 7)}M21 21l-5-5`,
  leak: "M12 3c-3 4.2-6 7.7-6 11a6 6 0 0 0 12 0c0-3.3-3-6.8-6-11zM9.5 14.5a2.5 2.5 0 0 0 2.5 2.5",
  file: "M6 3h8l4 4v14H6zM14 3v4h4M9 12h6M9 16h6",
  inbox: "M3 13l3-8h12l3 8v6H3zM3 13h5l1 3h6l1-3h5",
  close: "M6 6l12 12M18 6L6 18",
  edit: "M4 20h4L19 9l-4-4L4 16zM14 6l4 4",
  handOver: "M3 12h11M10 8l4 4-4 4M15 4h5v16h-5",
  service: "M5 8h14v10H5zM9 12h.01M15 12h.01M12 4v4M8 21h8",
} as const;

export type IconName = keyof typeof icons;
