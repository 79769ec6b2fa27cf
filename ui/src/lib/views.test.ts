import { describe, expect, it } from 'vitest';
import type { DeviceView } from './backend/bindings';
import { connectionText, plugText } from './connection';
import { formatDay, formatMoment } from './dates';

const device = (over: Partial<DeviceView>): DeviceView => ({
  id: 'id',
  name: 'Lamp',
  model: 'hearth-plug-1',
  firmware_version: '1.0.0',
  connection: 'unknown',
  plug_on: null,
  centi_celsius: null,
  last_error: null,
  ...over,
});

describe('device states in plain words', () => {
  it('has its own words for each connection state', () => {
    const states = ['unknown', 'checking', 'connected', 'unreachable'] as const;
    const words = states.map((connection) => connectionText(device({ connection })));
    expect(new Set(words).size).toBe(states.length);
    expect(words[2]).toBe('Connected');
    expect(words[3]).toBe('Out of reach');
  });

  it('says when the plug state is not known yet', () => {
    expect(plugText(device({ plug_on: null }))).toBe('The plug state is not known yet.');
    expect(plugText(device({ plug_on: true }))).toBe('The plug is on.');
    expect(plugText(device({ plug_on: false }))).toBe('The plug is off.');
  });
});

describe('dates', () => {
  it('writes a calendar day in the current language', () => {
    const day = formatDay('2030-12-31');
    expect(day).toContain('2030');
    expect(day).toContain('31');
  });

  it('shows a malformed day as it came, rather than a wrong date', () => {
    expect(formatDay('not a date')).toBe('not a date');
  });

  it('writes a moment with its year', () => {
    expect(formatMoment(1_900_000_000)).toContain('2030');
  });
});
