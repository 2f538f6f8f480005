/**
 * The codec key of the recorded histories in test/replay/histories/. Test-only and
 * committed on purpose: replay must decrypt the fixtures on any machine, and the
 * fixtures hold nothing but generated test data. Never used outside test/replay/.
 */
export const REPLAY_CODEC_KEYS = 'replay-fixture:cmVwbGF5LWZpeHR1cmUta2V5LW5vdC1hLXNlY3JldCE=';
