import { describe, expect, it } from 'vitest';
import { groupCode } from './setupCode';

describe('the setup code as printed', () => {
  it('groups digits 4-3-4 as they are typed', () => {
    const typed = '12724616634';
    const shown: string[] = [];
    let text = '';
    for (const digit of typed) {
      text = groupCode(text + digit, text.length + 1).text;
      shown.push(text);
    }
    expect(shown[3]).toBe('1272');
    expect(shown[4]).toBe('1272-4');
    expect(shown[7]).toBe('1272-461-6');
    expect(text).toBe('1272-461-6634');
  });

  it('accepts a pasted code with spaces or dashes', () => {
    expect(groupCode('1272 461 6634', 13).text).toBe('1272-461-6634');
    expect(groupCode('1272-461-6634', 13).text).toBe('1272-461-6634');
  });

  it('keeps the caret after the digit it followed', () => {
    // Deleting the 5th digit of "1272-461-6634" with the caret after it.
    const edited = '1272-61-6634';
    const grouped = groupCode(edited, 5);
    expect(grouped.text).toBe('1272-616-634');
    expect(grouped.caret).toBe(4);
    expect(groupCode('', 0)).toEqual({ text: '', caret: 0 });
  });

  it('leaves a QR payload and stray letters as typed', () => {
    expect(groupCode('HRT1:ABCDEFG', 12).text).toBe('HRT1:ABCDEFG');
    expect(groupCode('1234a', 5).text).toBe('1234a');
  });
});
