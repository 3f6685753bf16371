import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  createLocalSecretBox,
  LocalKeyWrapper,
  SecretBoxError,
  type SecretEnvelope,
} from "../../src/security/secret-box.js";

const SECRET = {
  accessKeyId: "AKIAEXAMPLE000000001",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRET",
};
const CONTEXT = "client-a/AWS";

/** Flips one bit of a base64 field of the serialized envelope. */
function tamper(serialized: string, field: keyof Omit<SecretEnvelope, "v" | "keyId">): string {
  const envelope = JSON.parse(serialized) as SecretEnvelope;
  const bytes = Buffer.from(envelope[field], "base64");
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x01;
  return JSON.stringify({ ...envelope, [field]: bytes.toString("base64") });
}

describe("SecretBox", () => {
  const masterKey = randomBytes(32);
  const box = createLocalSecretBox(masterKey);

  it("round-trips a secret and stores the version 1 envelope shape", async () => {
    const sealed = await box.seal(SECRET, CONTEXT);
    const envelope = JSON.parse(sealed) as SecretEnvelope;
    expect(Object.keys(envelope).sort()).toEqual(["ciphertext", "iv", "keyId", "tag", "v", "wrappedKey"]);
    expect(envelope.v).toBe(1);
    expect(envelope.keyId).toBe(new LocalKeyWrapper(masterKey).keyId);
    expect(await box.open(sealed, CONTEXT)).toEqual(SECRET);
  });

  it("uses a fresh data key and iv per secret", async () => {
    const [first, second] = await Promise.all([box.seal(SECRET, CONTEXT), box.seal(SECRET, CONTEXT)]);
    const a = JSON.parse(first) as SecretEnvelope;
    const b = JSON.parse(second) as SecretEnvelope;
    expect(a.wrappedKey).not.toBe(b.wrappedKey);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it("never contains the plaintext, in any encoding a reader might try", async () => {
    const sealed = await box.seal(SECRET, CONTEXT);
    for (const value of Object.values(SECRET)) {
      expect(sealed).not.toContain(value);
      expect(sealed).not.toContain(Buffer.from(value).toString("base64"));
      expect(sealed).not.toContain(Buffer.from(value).toString("hex"));
    }
    const envelope = JSON.parse(sealed) as SecretEnvelope;
    expect(Buffer.from(envelope.ciphertext, "base64").toString("latin1")).not.toContain("wJalrXUtnFEMI");
  });

  it.each(["ciphertext", "tag", "iv", "wrappedKey"] as const)("detects a tampered %s", async (field) => {
    const sealed = await box.seal(SECRET, CONTEXT);
    await expect(box.open(tamper(sealed, field), CONTEXT)).rejects.toThrow(SecretBoxError);
  });

  it("refuses an envelope moved to another connection (context is authenticated)", async () => {
    const sealed = await box.seal(SECRET, CONTEXT);
    await expect(box.open(sealed, "client-b/AWS")).rejects.toThrow(/failed authentication/);
  });

  it("fails with a safe error under another master key, even one claiming the same key id", async () => {
    const sealed = await box.seal(SECRET, CONTEXT);
    const otherKey = randomBytes(32);
    const other = createLocalSecretBox(otherKey);
    const mismatch = await other.open(sealed, CONTEXT).catch((error: unknown) => error);
    expect(mismatch).toBeInstanceOf(SecretBoxError);
    expect((mismatch as Error).message).toMatch(/encrypted with master key local:[0-9a-f]{16}/);

    const forged = JSON.stringify({
      ...(JSON.parse(sealed) as SecretEnvelope),
      keyId: new LocalKeyWrapper(otherKey).keyId,
    });
    const failure = await other.open(forged, CONTEXT).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SecretBoxError);
    const message = (failure as Error).message;
    for (const secretPart of [
      ...Object.values(SECRET),
      masterKey.toString("base64"),
      otherKey.toString("base64"),
    ]) {
      expect(message).not.toContain(secretPart);
    }
  });

  it("rejects something that is not an envelope", async () => {
    await expect(box.open("not json", CONTEXT)).rejects.toThrow(/not JSON/);
    await expect(box.open(JSON.stringify({ v: 2 }), CONTEXT)).rejects.toThrow(
      /not a version 1 secret envelope/,
    );
  });

  it("refuses a master key that is not 256 bits", () => {
    expect(() => createLocalSecretBox(randomBytes(16))).toThrow(/master key: must be 32 bytes, got 16/);
  });
});
