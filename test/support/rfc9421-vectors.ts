/**
 * Test vectors of RFC 9421 (HTTP Message Signatures) and RFC 9530 (Digest Fields), copied from
 * the RFC text (public): each constant cites its section. Lines the RFC wraps per RFC 8792 are
 * joined here.
 */

/** RFC 9421 Appendix B.1.5: the shared secret `test-shared-secret` (64 bytes, base64). */
export const TEST_SHARED_SECRET = 'uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==';

/** RFC 9421 Appendix B.1.4: `test-key-ed25519`, public key `x` (JWK, base64url). */
export const TEST_KEY_ED25519_X = 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs';

/** RFC 9421 Appendix B.1.3: `test-key-ecc-p256`, public key coordinates (JWK, base64url). */
export const TEST_KEY_ECC_P256 = { x: 'qIVYZVLCrPZHGHjP17CTW0_-D9Lfw0EkjqF7xB4FivA', y: 'Mc4nN9LTDOBhfoUeg8Ye9WedFRhnZXZJA12Qp0zZ6F0' };

/** RFC 9421 Appendix B.2: `test-request` (POST over HTTPS to example.com). */
export const TEST_REQUEST = {
  method: 'POST',
  targetUri: 'https://example.com/foo?param=Value&Pet=dog',
  headers: [
    ['Host', 'example.com'],
    ['Date', 'Tue, 20 Apr 2021 02:07:55 GMT'],
    ['Content-Type', 'application/json'],
    ['Content-Digest', 'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:'],
    ['Content-Length', '18'],
  ] as [string, string][],
  body: '{"hello": "world"}',
};

/**
 * RFC 9421 Appendix B.2: `test-response`. (The Content-Digest the B.2.4 signature base covers is
 * the SHA-512 of this body; an earlier draft printed another value in the message listing.)
 */
export const TEST_RESPONSE = {
  status: 200,
  headers: [
    ['Date', 'Tue, 20 Apr 2021 02:07:56 GMT'],
    ['Content-Type', 'application/json'],
    ['Content-Digest', 'sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:'],
    ['Content-Length', '23'],
  ] as [string, string][],
  body: '{"message": "good dog"}',
};

/** RFC 9421 Appendix B.2.1: minimal signature (no components, a nonce) — base only (RSA-PSS is randomized). */
export const B21 = {
  label: 'sig-b21',
  signatureInput: 'sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"',
  base: '"@signature-params": ();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"',
};

/** RFC 9421 Appendix B.2.2: `@query-param` (a component this binding does not implement). */
export const B22 = {
  signatureInput: 'sig-b22=("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="test-key-rsa-pss";tag="header-example"',
};

/** RFC 9421 Appendix B.2.3: full coverage — base only (RSA-PSS is randomized). */
export const B23 = {
  label: 'sig-b23',
  signatureInput: 'sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"',
  base: [
    '"date": Tue, 20 Apr 2021 02:07:55 GMT',
    '"@method": POST',
    '"@path": /foo',
    '"@query": ?param=Value&Pet=dog',
    '"@authority": example.com',
    '"content-type": application/json',
    '"content-digest": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
    '"content-length": 18',
    '"@signature-params": ("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"',
  ].join('\n'),
};

/** RFC 9421 Appendix B.2.4: a response signed with ecdsa-p256-sha256. */
export const B24 = {
  label: 'sig-b24',
  signatureInput: 'sig-b24=("@status" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-ecc-p256"',
  signature: 'sig-b24=:wNmSUAhwb5LxtOtOpNa6W5xj067m5hFrj0XQ4fvpaCLx0NKocgPquLgyahnzDnDAUy5eCdlYUEkLIj+32oiasw==:',
  base: [
    '"@status": 200',
    '"content-type": application/json',
    '"content-digest": sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:',
    '"content-length": 23',
    '"@signature-params": ("@status" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-ecc-p256"',
  ].join('\n'),
};

/** RFC 9421 Appendix B.2.5: a request signed with hmac-sha256 under `test-shared-secret`. */
export const B25 = {
  label: 'sig-b25',
  components: ['date', '@authority', 'content-type'],
  created: 1618884473,
  keyid: 'test-shared-secret',
  signatureInput: 'sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"',
  signature: 'sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:',
  base: [
    '"date": Tue, 20 Apr 2021 02:07:55 GMT',
    '"@authority": example.com',
    '"content-type": application/json',
    '"@signature-params": ("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"',
  ].join('\n'),
};

/** RFC 9421 Appendix B.2.6: a request signed with ed25519 (deterministic). */
export const B26 = {
  label: 'sig-b26',
  signatureInput: 'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
  signature: 'sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:',
  base: [
    '"date": Tue, 20 Apr 2021 02:07:55 GMT',
    '"@method": POST',
    '"@path": /foo',
    '"@authority": example.com',
    '"content-type": application/json',
    '"content-length": 18',
    '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
  ].join('\n'),
};

/** RFC 9421 §2.4: a 503 response covering request components with `req`, signed with ecdsa-p256-sha256. */
export const REQRES = {
  response: {
    status: 503,
    headers: [
      ['Date', 'Tue, 20 Apr 2021 02:07:56 GMT'],
      ['Content-Type', 'application/json'],
      ['Content-Length', '62'],
      ['Content-Digest', 'sha-512=:0Y6iCBzGg5rZtoXS95Ijz03mslf6KAMCloESHObfwnHJDbkkWWQz6PhhU9kxsTbARtY2PTBOzq24uJFpHsMuAg==:'],
    ] as [string, string][],
    body: '{"busy": true, "message": "Your call is very important to us"}',
  },
  signatureInput: 'reqres=("@status" "content-digest" "content-type" "@authority";req "@method";req "@path";req "content-digest";req);created=1618884479;keyid="test-key-ecc-p256"',
  signature: 'reqres=:dMT/A/76ehrdBTD/2Xx8QuKV6FoyzEP/I9hdzKN8LQJLNgzU4W767HK05rx1i8meNQQgQPgQp8wq2ive3tV5Ag==:',
  base: [
    '"@status": 503',
    '"content-digest": sha-512=:0Y6iCBzGg5rZtoXS95Ijz03mslf6KAMCloESHObfwnHJDbkkWWQz6PhhU9kxsTbARtY2PTBOzq24uJFpHsMuAg==:',
    '"content-type": application/json',
    '"@authority";req: example.com',
    '"@method";req: POST',
    '"@path";req: /foo',
    '"content-digest";req: sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
    '"@signature-params": ("@status" "content-digest" "content-type" "@authority";req "@method";req "@path";req "content-digest";req);created=1618884479;keyid="test-key-ecc-p256"',
  ].join('\n'),
};

/** RFC 9421 §2.1: field values of an example message fragment and their signature base lines. */
export const FIELDS = {
  headers: [
    ['Host', 'www.example.com'],
    ['Date', 'Tue, 20 Apr 2021 02:07:56 GMT'],
    ['X-OWS-Header', '  Leading and trailing whitespace.  '],
    ['Cache-Control', 'max-age=60'],
    ['Cache-Control', '   must-revalidate'],
    ['Example-Dict', ' a=1,    b=2;x=1;y=2,   c=(a   b   c)'],
  ] as [string, string][],
  lines: [
    '"host": www.example.com',
    '"date": Tue, 20 Apr 2021 02:07:56 GMT',
    '"x-ows-header": Leading and trailing whitespace.',
    '"cache-control": max-age=60, must-revalidate',
    '"example-dict": a=1,    b=2;x=1;y=2,   c=(a   b   c)',
  ],
};

/** RFC 9421 §2.1.2: members of `Example-Dict:  a=1, b=2;x=1;y=2, c=(a   b    c), d`. */
export const DICTIONARY_MEMBERS = {
  field: ' a=1, b=2;x=1;y=2, c=(a   b    c), d',
  lines: ['"example-dict";key="a": 1', '"example-dict";key="d": ?1', '"example-dict";key="b": 2;x=1;y=2', '"example-dict";key="c": (a b c)'],
};

/** RFC 9421 §2.2: derived component values of `POST /path?param=value HTTP/1.1`, Host www.example.com. */
export const DERIVED = {
  https: { targetUri: 'https://www.example.com/path?param=value', values: { '@method': 'POST', '@target-uri': 'https://www.example.com/path?param=value', '@authority': 'www.example.com', '@scheme': 'https', '@request-target': '/path?param=value', '@path': '/path', '@query': '?param=value' } },
  http: { targetUri: 'http://www.example.com/path?param=value', values: { '@scheme': 'http' } },
  queries: [
    ['https://www.example.com/path?param=value&foo=bar&baz=bat%2Dman', '?param=value&foo=bar&baz=bat%2Dman'],
    ['https://www.example.com/path?queryString', '?queryString'],
    ['https://www.example.com/path', '?'],
  ] as [string, string][],
};

/** RFC 9530 §2: Content-Digest of `{"hello": "world"}` followed by LF, and a two-algorithm field. */
export const RFC9530 = {
  body: '{"hello": "world"}\n',
  contentDigest: 'sha-512=:YMAam51Jz/jOATT6/zvHrLVgOYTGFy1d6GJiOHTohq4yP+pgk4vf2aCsyRZOtw8MjkM7iw7yZ/WkppmM44T3qg==:',
  twoAlgorithms: 'sha-256=:d435Qo+nKZ+gLcUHn7GQtQ72hiBVAgqoLsZnZPiTGPk=:, sha-512=:YMAam51Jz/jOATT6/zvHrLVgOYTGFy1d6GJiOHTohq4yP+pgk4vf2aCsyRZOtw8MjkM7iw7yZ/WkppmM44T3qg==:',
};
