// The setup code as the label prints it, while it is typed: `1272-461-6634` (4, 3 and 4
// digits). Only text of digits, spaces and dashes is regrouped; anything else (a QR payload
// from a photo, a stray letter) is left as typed, so its own message still shows.

const GROUPS = [4, 3];

export interface Grouped {
  text: string;
  /** Where the caret goes: after the same digits it followed before. */
  caret: number;
}

/** `text` regrouped as printed, with the caret that was at `caret` kept after its digit. */
export function groupCode(text: string, caret: number): Grouped {
  if (!/^[\d\s-]*$/.test(text)) return { text, caret };
  const digits = text.replace(/\D/g, '');
  const digitsBefore = text.slice(0, caret).replace(/\D/g, '').length;
  let out = '';
  let newCaret = 0;
  let group = 0;
  let inGroup = 0;
  for (let i = 0; i < digits.length; i++) {
    if (group < GROUPS.length && inGroup === GROUPS[group]) {
      out += '-';
      group += 1;
      inGroup = 0;
    }
    out += digits[i];
    inGroup += 1;
    if (i + 1 === digitsBefore) newCaret = out.length;
  }
  return { text: out, caret: digitsBefore === 0 ? 0 : newCaret };
}
