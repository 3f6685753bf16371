/**
 * STS AssumeRole (awsQuery protocol: form-encoded request, XML reply) so role-based connections can
 * be exercised end to end: the simulator mints temporary credentials and remembers which role they
 * belong to, so Cost Explorer requests signed with them are served that role's dataset.
 */
import { randomBytes, randomUUID } from "node:crypto";

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/([\w+=,.@/-]{1,128})$/;
const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export interface AssumedSession {
  roleArn: string;
  sessionToken: string;
  expiresAt: number;
}

export interface StsReply {
  status: number;
  body: string;
}

const xmlEscape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const randomText = (length: number) =>
  Array.from(randomBytes(length), (byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join("");

function errorReply(status: number, code: string, message: string): StsReply {
  return {
    status,
    body:
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>` +
      `<Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>` +
      `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  };
}

export class StsSessions {
  private readonly sessions = new Map<string, AssumedSession>();

  /** `externalIds` maps a role ARN to the external id its trust policy requires. */
  constructor(private readonly externalIds: Record<string, string> = {}) {}

  /** The live session minted for an access key id, if any. */
  session(accessKeyId: string): AssumedSession | undefined {
    const session = this.sessions.get(accessKeyId);
    return session && session.expiresAt > Date.now() ? session : undefined;
  }

  answer(formBody: string): StsReply {
    const form = new URLSearchParams(formBody);
    if (form.get("Action") !== "AssumeRole") {
      return errorReply(
        400,
        "InvalidAction",
        `Could not find operation ${form.get("Action") ?? ""} for version 2011-06-15`,
      );
    }
    const roleArn = form.get("RoleArn") ?? "";
    const match = ROLE_ARN.exec(roleArn);
    if (!match) return errorReply(400, "ValidationError", "RoleArn is not a valid IAM role ARN");
    const sessionName = form.get("RoleSessionName") ?? "";
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      return errorReply(400, "ValidationError", "RoleSessionName must be 2 to 64 characters of [\\w+=,.@-]");
    }
    const required = this.externalIds[roleArn];
    if (required !== undefined && form.get("ExternalId") !== required) {
      return errorReply(
        403,
        "AccessDenied",
        `User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    }
    const durationSeconds = Number(form.get("DurationSeconds") ?? 3600);
    const accessKeyId = `ASIA${randomText(16)}`;
    const secretAccessKey = randomBytes(30).toString("base64");
    const sessionToken = randomBytes(96).toString("base64");
    const expiresAt = Date.now() + durationSeconds * 1000;
    this.sessions.set(accessKeyId, { roleArn, sessionToken, expiresAt });
    const [, account, roleName] = match;
    return {
      status: 200,
      body:
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>` +
        `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>${secretAccessKey}</SecretAccessKey>` +
        `<SessionToken>${sessionToken}</SessionToken><Expiration>${new Date(expiresAt).toISOString()}</Expiration></Credentials>` +
        `<AssumedRoleUser><AssumedRoleId>AROA${randomText(17)}:${xmlEscape(sessionName)}</AssumedRoleId>` +
        `<Arn>arn:aws:sts::${account}:assumed-role/${xmlEscape(roleName ?? "")}/${xmlEscape(sessionName)}</Arn></AssumedRoleUser>` +
        `</AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    };
  }
}
