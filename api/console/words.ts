// Values as a person reads them on a console page.

export interface When {
  /** For the datetime attribute of <time>. */
  iso: string;
  text: string;
}

/** A timestamp to the second, in UTC, as every page shows it. */
export const when = (iso: string | null | undefined): When | undefined =>
  iso === null || iso === undefined ? undefined : { iso, text: `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` };

/** The same as text alone, empty for no time. */
export const timeText = (iso: string | null | undefined): string => when(iso)?.text ?? '';
