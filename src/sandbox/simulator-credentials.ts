/**
 * Credentials of the shape each cloud takes, which the sandbox's simulators accept and nothing else
 * does. The secrets are chosen by the caller: the demo tenant has fixed ones, tests pick distinctive
 * ones so they can search logs and responses for them.
 */
import { generateKeyPairSync } from "node:crypto";
import { SANDBOX_GCP_BILLING_TABLE } from "./gcp/gcp-simulator.js";

export interface SimulatorSecrets {
  /** "AKIA" and 16 more characters; its last four show in masked summaries. */
  awsAccessKeyId: string;
  awsSecretAccessKey: string;
  gcpPrivateKeyId: string;
  azureClientSecret: string;
}

// Type aliases, not interfaces: they must fit where a plain credentials record is expected.
export type SimulatorCredentials = {
  AWS: { method: "accessKey"; accessKeyId: string; secretAccessKey: string };
  GCP: {
    serviceAccountKey: {
      type: "service_account";
      project_id: string;
      private_key_id: string;
      /** A throwaway RSA key (PKCS#8 PEM): the simulator accepts any well-formed service account. */
      private_key: string;
      client_email: string;
    };
    billingExportTable: string;
    location: string;
  };
  AZURE: { method: "clientSecret"; tenantId: string; clientId: string; clientSecret: string; scope: string };
};

/** Credentials for all three simulators around the given secrets, with a freshly made GCP key. */
export function simulatorCredentials(secrets: SimulatorSecrets): SimulatorCredentials {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return {
    AWS: {
      method: "accessKey",
      accessKeyId: secrets.awsAccessKeyId,
      secretAccessKey: secrets.awsSecretAccessKey,
    },
    GCP: {
      serviceAccountKey: {
        type: "service_account",
        project_id: "sandbox-billing",
        private_key_id: secrets.gcpPrivateKeyId,
        private_key: privateKey,
        client_email: "billing-reader@sandbox-billing.iam.gserviceaccount.com",
      },
      billingExportTable: SANDBOX_GCP_BILLING_TABLE,
      location: "US",
    },
    AZURE: {
      method: "clientSecret",
      tenantId: "00000000-0000-4000-8000-000000000001",
      clientId: "00000000-0000-4000-8000-000000000002",
      clientSecret: secrets.azureClientSecret,
      scope: "subscriptions/00000000-0000-4000-8000-0000000000a1",
    },
  };
}
