import { describe, expect, it } from 'vitest';
import { SseParser } from './sse.ts';

describe('SseParser', () => {
  it('dispatches events on a blank line, joining data lines and skipping comments', () => {
    const p = new SseParser();
    expect(p.push(': heartbeat\n\nevent: state\ndata: {"a":\ndata: 1}\nid: 7\n\n')).toEqual([{ event: 'state', data: '{"a":\n1}', id: '7' }]);
  });

  it('keeps partial frames until they complete, whatever the chunking', () => {
    const frame = 'event: state\r\ndata: {"status":"running"}\r\n\r\nevent: state\ndata: {"status":"completed"}\n\n';
    for (const size of [1, 2, 5, 13]) {
      const p = new SseParser();
      const events = [];
      for (let i = 0; i < frame.length; i += size) events.push(...p.push(frame.slice(i, i + size)));
      expect(events.map((e) => JSON.parse(e.data) as unknown)).toEqual([{ status: 'running' }, { status: 'completed' }]);
    }
  });

  it('defaults the event name to message, strips one leading space and a BOM, ignores empty events', () => {
    const p = new SseParser();
    expect(p.push('\uFEFFdata:  two spaces\n\n\n\nevent: x\n\n')).toEqual([{ event: 'message', data: ' two spaces' }]);
  });
});
