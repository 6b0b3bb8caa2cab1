import { describe, expect, it } from 'vitest';
import { base32Encode } from '../sdk/encoding/index.js';
import { envelopeId, makeId, parseConnectionUri, parseUdf, pinId, pinWitness, responseId, saltedPin, udfMatches } from '../sdk/udf/index.js';

/**
 * Where the SDK now agrees with the reference (mesh-kinds.md §18): MakeID over ids that are not
 * typed UDFs, and PINs shorter than 100 bits where a UDF is a key — while fingerprint comparison
 * keeps its 100-bit floor.
 */

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

describe('MakeID over any first byte (mesh-kinds.md D5)', () => {
  it('derives EnvelopeId / ResponseId of connection witnesses as the reference does', () => {
    // ProtocolConnectRequest.md: AcknowledgeConnection MessageId = witness YDLF-… (first byte 0xC0).
    expect(envelopeId('YDLF-TRCY-GPUF-HGY3-7NRH-IIIG-DTGX')).toBe('MBII-4MVJ-FIMC-L3ST-EJGS-V746-DCRG');
    expect(responseId('YDLF-TRCY-GPUF-HGY3-7NRH-IIIG-DTGX')).toBe('MBVK-ZODF-LLR2-AHO6-FWDB-NVNJ-GXIC');
    // ProtocolPostClientService.md (2021): witness CGQR-… (first byte 0x11).
    expect(envelopeId('CGQR-COKS-K4UR-EPYB-2CBI-MB6Z-UQ4B')).toBe('MDTC-5DRQ-FEKT-2I74-6BCC-TILJ-TPAZ');
    // and typed ids as before (nonce, publication id)
    expect(envelopeId('NDZ4-LGXM-W7JI-6NRH-I2AS-UPUB-QUBL')).toBe('MAGR-RKJ6-YTCG-VLPD-K4ZD-6R3M-TTZH');
    expect(envelopeId('EBQB-KJVT-BYND-4GE2-U65R-FZFH-4C7O')).toBe('MC4E-5C44-IEHC-EEKA-KPSY-YGMQ-54HQ');
  });

  it('uses SHA3-512 exactly when the first byte is 80', () => {
    const data = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
    const sha3Id = base32Encode(Uint8Array.of(80, ...data));
    const otherId = base32Encode(Uint8Array.of(0xc0, ...data));
    expect(makeId(sha3Id, 'x/y')).not.toBe(makeId(otherId, 'x/y'));
    expect(makeId(otherId, 'x/y')).toBe(makeId(base32Encode(Uint8Array.of(0x11, ...data)), 'x/y'));
  });

  it('still refuses what is not Base32 or carries no data byte', () => {
    expect(codeOf(() => envelopeId('NDZ4-LGXM-W7JI-6NRH-I2AS-UPUB-QUB!'))).toBe('UDF_BAD_CHAR');
    expect(codeOf(() => envelopeId('NA'))).toBe('UDF_TOO_SHORT');
  });
});

describe('short PINs where a UDF is a key (udf.md §11, mesh-kinds.md §18)', () => {
  const PIN90 = 'AAJP-KPYV-NSB4-GIYL-AM'; // draft-hallambaker-mesh-protocol-09 §9.1, 90 bits

  it('salts a 90-bit PIN to the value printed in schema-08 §6.3', () => {
    expect(parseUdf(PIN90, { minBits: 16 }).bits).toBe(90);
    expect(saltedPin(PIN90, 'Device')).toBe('ADBB-JTKR-RGGL-ACEM-TW6E-ZFY6-NQXF');
    const salted = saltedPin(PIN90, 'Device');
    expect(pinId(salted, 'alice@example.com')).toMatch(/^A[A-Z2-7]{3}(-[A-Z2-7]{4}){6}$/);
    expect(pinWitness(salted, 'alice@example.com', new Uint8Array(16), new Uint8Array(64))).toHaveLength(64);
    expect(parseConnectionUri(`mcu://alice@example.com/${PIN90}`).udf.bits).toBe(90);
  });

  it('keeps the 100-bit floor for parsing and comparing fingerprints', () => {
    expect(codeOf(() => parseUdf(PIN90))).toBe('UDF_TOO_SHORT');
    expect(codeOf(() => udfMatches('MDDK-7N6A-727A-JZNO-STR', 'MDDK-7N6A-727A-JZNO-STRX-XKS7-DJAF'))).toBe('UDF_TOO_SHORT');
  });
});
