import { describe, expect, it } from 'vitest';
import { readSseFrames } from '../../cli/sse-frames.ts';

/** A response whose body arrives in the given chunks, like a network stream split at arbitrary points. */
function responseOf(chunks: string[]): Response {
  const encoder = new TextEncoder();
  return new Response(new ReadableStream({ start(controller) { for (const chunk of chunks) controller.enqueue(encoder.encode(chunk)); controller.close(); } }));
}
async function framesOf(chunks: string[]) {
  const frames = [];
  for await (const frame of readSseFrames(responseOf(chunks))) frames.push(frame);
  return frames;
}

describe('SSE frame parser', () => {
  it.each([
    ['LF', 'id: 1\nevent: x\ndata: {"a":1}\n\n'],
    ['CRLF', 'id: 1\r\nevent: x\r\ndata: {"a":1}\r\n\r\n'],
    ['CR', 'id: 1\revent: x\rdata: {"a":1}\r\r'],
    ['no space after the colon', 'id:1\nevent:x\ndata:{"a":1}\n\n'],
    ['multi-line data', 'id: 1\nevent: x\ndata: {"a":\ndata: 1}\n\n'],
    ['comments and retry hints', ': heartbeat\nretry: 500\nid: 1\nevent: x\ndata: {"a":1}\n\n'],
  ])('reads a frame with %s', async (_name, text) => {
    expect(await framesOf([text])).toEqual([{ id: '1', event: 'x', data: { a: 1 } }]);
  });

  it('reassembles frames split anywhere across chunks, including between CR and LF', async () => {
    const text = 'id: 1\r\ndata: {"a":1}\r\n\r\n: hb\r\n\r\nid: 2\r\ndata: {"b":2}\r\n\r\n';
    const chunks = text.split(/(?<=\r)/);
    expect((await framesOf(chunks)).map((frame) => frame.id)).toEqual(['1', '2']);
  });

  it('skips frames without data, defaults the event name, and gives a frame without an id the last id seen', async () => {
    expect(await framesOf(['data: {"a":1}\n\nid: 3\n\nid: 4\ndata: {}\n\nevent: x\ndata: {"b":2}\n\n'])).toEqual([
      { id: '', event: 'message', data: { a: 1 } },
      { id: '4', event: 'message', data: {} },
      { id: '4', event: 'x', data: { b: 2 } },
    ]);
  });
});
