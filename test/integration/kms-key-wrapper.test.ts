/**
 * The secret box with KMS as its master key: @aws-sdk/client-kms against the KMS simulator over
 * loopback, every request counted.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createKmsClient, KmsKeyWrapper } from "../../src/security/kms-key-wrapper.js";
import {
  KeyServiceError,
  LocalKeyWrapper,
  SecretBox,
  SecretBoxError,
  createLocalSecretBox,
  type SecretEnvelope,
} from "../../src/security/secret-box.js";
import { startKmsSimulator, type KmsSimulator } from "../../src/sandbox/aws/kms-simulator.js";

const CALLER = {
  accessKeyId: "AKIAKMSCALLER0000001",
  secretAccessKey: "kmsCallerSecretDoNotLog0000000000000000",
};
const ALIAS = "cost-analytics-credentials";
const SECRET = {
  accessKeyId: "AKIAEXAMPLE000000001",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRET",
};
const CONTEXT = "client-a/AWS";

let kms: KmsSimulator;
let box: SecretBox;
let client: ReturnType<typeof createKmsClient>;

const wrapperFor = (keyId: string, credentials = CALLER) =>
  new KmsKeyWrapper(createKmsClient({ region: "us-east-1", endpoint: kms.endpoint, credentials }), keyId);

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => new Error("expected a rejection"),
    (error: unknown) => error as Error,
  );
  expect(outcome.message).not.toBe("expected a rejection");
  return outcome;
}

beforeAll(async () => {
  kms = await startKmsSimulator({ accessKeyIds: [CALLER.accessKeyId], aliases: [ALIAS, "other-key"] });
  client = createKmsClient({ region: "us-east-1", endpoint: kms.endpoint, credentials: CALLER });
  box = new SecretBox(new KmsKeyWrapper(client, `alias/${ALIAS}`));
});

afterAll(async () => {
  client?.destroy();
  await kms?.stop();
});

beforeEach(() => {
  kms.faults.clear();
});

describe("SecretBox with KMS", () => {
  it("seals with one GenerateDataKey and opens with one Decrypt; the envelope names the key ARN, not the alias", async () => {
    const before = { generate: kms.requestCount("GenerateDataKey"), decrypt: kms.requestCount("Decrypt") };
    const sealed = await box.seal(SECRET, CONTEXT);
    const envelope = JSON.parse(sealed) as SecretEnvelope;
    expect(envelope.keyId).toBe(kms.keyArns[ALIAS]);
    expect(sealed).not.toContain(SECRET.secretAccessKey);
    expect(await box.open(sealed, CONTEXT)).toEqual(SECRET);
    expect(kms.requestCount("GenerateDataKey") - before.generate).toBe(1);
    expect(kms.requestCount("Decrypt") - before.decrypt).toBe(1);
  });

  it("lets KMS refuse a wrapped key moved to another connection (the encryption context)", async () => {
    const sealed = await box.seal(SECRET, CONTEXT);
    const error = await rejection(box.open(sealed, "client-b/AWS"));
    expect(error).toBeInstanceOf(SecretBoxError);
    expect(error.message).toBe(
      "credentials could not be decrypted: KMS refused the wrapped data key (InvalidCiphertextException)",
    );
  });

  it("refuses a tampered wrapped key", async () => {
    const envelope = JSON.parse(await box.seal(SECRET, CONTEXT)) as SecretEnvelope;
    const wrapped = Buffer.from(envelope.wrappedKey, "base64");
    wrapped[wrapped.length - 1] = (wrapped[wrapped.length - 1] ?? 0) ^ 0x01;
    const tampered = JSON.stringify({ ...envelope, wrappedKey: wrapped.toString("base64") });
    expect(await rejection(box.open(tampered, CONTEXT))).toBeInstanceOf(SecretBoxError);
  });

  it("opens what an earlier alias target sealed: Decrypt names the envelope's key, not the configured one", async () => {
    const sealedUnderOther = await new SecretBox(wrapperFor(`alias/other-key`)).seal(SECRET, CONTEXT);
    expect((JSON.parse(sealedUnderOther) as SecretEnvelope).keyId).toBe(kms.keyArns["other-key"]);
    expect(await box.open(sealedUnderOther, CONTEXT)).toEqual(SECRET);
  });

  it("moves from a local key to KMS: opens local envelopes without KMS, seals new ones with KMS", async () => {
    const localKey = randomBytes(32);
    const sealedLocally = await createLocalSecretBox(localKey).seal(SECRET, CONTEXT);
    const both = new SecretBox(wrapperFor(kms.keyArns[ALIAS]!), [new LocalKeyWrapper(localKey)]);
    const decrypts = kms.requestCount("Decrypt");
    expect(await both.open(sealedLocally, CONTEXT)).toEqual(SECRET);
    expect(kms.requestCount("Decrypt")).toBe(decrypts);
    expect((JSON.parse(await both.seal(SECRET, CONTEXT)) as SecretEnvelope).keyId).toBe(kms.keyArns[ALIAS]);
  });

  it("says which key is missing when a local-only process meets a KMS envelope", async () => {
    const sealed = await box.seal(SECRET, CONTEXT);
    const error = await rejection(createLocalSecretBox(randomBytes(32)).open(sealed, CONTEXT));
    expect(error).toBeInstanceOf(SecretBoxError);
    expect(error.message).toBe(
      `credentials were encrypted with master key ${kms.keyArns[ALIAS]}, which this process is not configured to use`,
    );
  });
});

describe("KMS faults", () => {
  it("rides out throttling and a dropped connection with the SDK's retries, each attempt counted", async () => {
    const sealed = await box.seal(SECRET, CONTEXT);
    const decrypts = kms.requestCount("Decrypt");
    kms.faults.inject({ kind: "throttle" });
    kms.faults.inject({ kind: "drop" });
    expect(await box.open(sealed, CONTEXT)).toEqual(SECRET);
    expect(kms.requestCount("Decrypt") - decrypts).toBe(3);
  });

  it("reports an outage as a retryable key-service error, without secrets, after the SDK's three attempts", async () => {
    const sealed = await box.seal(SECRET, CONTEXT);
    const decrypts = kms.requestCount("Decrypt");
    kms.faults.inject({ kind: "server-error", times: 5 });
    const error = await rejection(box.open(sealed, CONTEXT));
    expect(error).toBeInstanceOf(KeyServiceError);
    expect(error.message).toBe("KMS Decrypt failed: KMSInternalException (HTTP 500)");
    expect((error as KeyServiceError).retryable).toBe(true);
    expect(kms.requestCount("Decrypt") - decrypts).toBe(3);
  });

  it("reports a disabled key as a key-service error that waiting will not fix, and recovers once enabled", async () => {
    const sealed = await box.seal(SECRET, CONTEXT);
    kms.setKeyDisabled(kms.keyArns[ALIAS]!, true);
    try {
      const openError = await rejection(box.open(sealed, CONTEXT));
      expect(openError).toBeInstanceOf(KeyServiceError);
      expect(openError.message).toBe("KMS Decrypt failed: DisabledException (HTTP 400)");
      expect((openError as KeyServiceError).retryable).toBe(false);
      const sealError = await rejection(box.seal(SECRET, CONTEXT));
      expect(sealError.message).toBe("KMS GenerateDataKey failed: DisabledException (HTTP 400)");
    } finally {
      kms.setKeyDisabled(kms.keyArns[ALIAS]!, false);
    }
    expect(await box.open(sealed, CONTEXT)).toEqual(SECRET);
  });

  it("reports credentials KMS does not know without repeating them", async () => {
    const stranger = {
      accessKeyId: "AKIASTRANGER00000001",
      secretAccessKey: "strangerSecretNeverInAnError000000000000",
    };
    const error = await rejection(
      new SecretBox(wrapperFor(`alias/${ALIAS}`, stranger)).seal(SECRET, CONTEXT),
    );
    expect(error).toBeInstanceOf(KeyServiceError);
    expect(error.message).toBe("KMS GenerateDataKey failed: UnrecognizedClientException (HTTP 400)");
    expect((error as KeyServiceError).retryable).toBe(false);
    expect(JSON.stringify(error) + error.message + String(error.stack)).not.toContain(
      stranger.secretAccessKey,
    );
  });

  it("names a key that does not exist", async () => {
    const error = await rejection(new SecretBox(wrapperFor("alias/no-such-key")).seal(SECRET, CONTEXT));
    expect(error.message).toBe("KMS GenerateDataKey failed: NotFoundException (HTTP 400)");
  });
});
