import type { EncryptionCodec } from '../../platform/codec.ts';

/**
 * Every payload of a history (as `historyToJSON` gives it), decoded with our codec, as
 * text — what someone holding the codec key could read. Same walk as in
 * test/security/history-canary.test.ts.
 */
export async function decodedPayloadText(historyJson: string, codec: EncryptionCodec): Promise<string> {
  const texts: string[] = [];
  const walk = async (v: unknown): Promise<void> => {
    if (Array.isArray(v)) for (const x of v) await walk(x);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.data === 'string' && o.metadata && typeof o.metadata === 'object') {
        const metadata = Object.fromEntries(Object.entries(o.metadata as Record<string, string>).map(([k, b]) => [k, Buffer.from(b, 'base64')]));
        const [p] = await codec.decode([{ metadata, data: Buffer.from(o.data, 'base64') }]);
        texts.push(Buffer.from(p!.data ?? []).toString('utf8'));
      } else for (const x of Object.values(o)) await walk(x);
    }
  };
  await walk(JSON.parse(historyJson));
  return texts.join('\n');
}
