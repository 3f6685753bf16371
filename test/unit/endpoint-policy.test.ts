/**
 * Provider endpoints never reach link-local or instance-metadata hosts, whatever spelling the URL
 * uses; ordinary hosts (loopback simulators included) pass.
 */
import { describe, expect, it } from "vitest";
import { forbiddenEndpointHost } from "../../src/providers/endpoint-policy.js";
import { createProviderAdapter } from "../../src/providers/factory.js";
import { parseProviderCredentials } from "../../src/providers/credentials.js";

const hostOf = (url: string) => new URL(url).hostname;

describe("forbiddenEndpointHost", () => {
  it.each([
    "http://169.254.169.254/latest/meta-data",
    "http://169.254.0.1:8080",
    // The URL parser turns decimal, hex and mapped forms into the address itself.
    "http://2852039166/",
    "http://0xa9.0xfe.0xa9.0xfe/",
    "http://[::ffff:169.254.169.254]/",
    "http://[fe80::1]/",
    "http://[febf::1]/",
    "http://[fd00:ec2::254]/",
    "http://100.100.100.200/",
    "http://metadata/computeMetadata/v1",
    "http://METADATA.google.internal./",
    "http://metadata.goog",
    "http://instance-data.ec2.internal",
    "http://metadata.azure.com",
  ])("refuses %s", (url) => {
    expect(forbiddenEndpointHost(hostOf(url))).toMatch(/link-local|instance-metadata/);
  });

  it.each([
    "http://127.0.0.1:4566",
    "http://[::1]:8443",
    "https://ce.us-east-1.amazonaws.com",
    "https://bigquery.googleapis.com",
    "http://169.253.255.255",
    "http://[fec0::1]/",
    "http://metadata.example.com",
    "http://notmetadata",
  ])("lets %s through", (url) => {
    expect(forbiddenEndpointHost(hostOf(url))).toBeUndefined();
  });

  it("is applied by the adapter factory even with custom endpoints allowed, naming the field", () => {
    const credentials = parseProviderCredentials("AWS", {
      method: "accessKey",
      accessKeyId: "AKIAABCDEFGHIJKLMNOP",
      secretAccessKey: "s".repeat(40),
    });
    const build = (endpoint: string) =>
      createProviderAdapter({ provider: "AWS", credentials, endpoint, allowCustomEndpoints: true });
    expect(() => build("http://[::ffff:a9fe:a9fe]:80")).toThrow(
      "endpoint: ::ffff:a9fe:a9fe is a link-local or instance-metadata address; provider endpoints may not point there",
    );
    expect(() => build("http://127.0.0.1:4566")).not.toThrow();
  });
});
