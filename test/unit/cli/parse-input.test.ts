/** The shared input parser: numbers, DNs, server URLs, paths, CA files (issue 21 part 4). */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caFile, dnProblem, inputFile, outputDir, outputFile, parseServerUrl, parseWholeNumber, RANGES } from '../../../src/cli/parse-input.js';

describe('parseWholeNumber', () => {
  it.each(['0', '7', '90', '3650', '007'])('accepts %s days', (t) => expect(parseWholeNumber('--stale-days', t, RANGES.days)).toBe(Number(t)));
  it.each(['1e9', '0x10', '-1', '+3', '2.5', ' 7', '7 ', '', 'abc', '3651', '99999999999999'])('refuses "%s" naming the flag', (t) => {
    expect(() => parseWholeNumber('--grace-days', t, RANGES.days)).toThrow(/--grace-days must be a whole number from 0 to 3650/);
  });
});

describe('dnProblem', () => {
  it.each(['DC=lab,DC=test', 'OU=Domain Controllers,DC=lab,DC=test', 'CN=Smith\\, John,OU=People,DC=x', 'CN=a\\2Cb,DC=x', '1.2.3=x,DC=y', 'OU=a=b,DC=x'])('accepts %s', (dn) => expect(dnProblem(dn)).toBeUndefined());
  it.each([
    ['', /empty/],
    ['garbage', /not attribute=value/],
    ['OU=a,,DC=x', /RDN 2 is empty/],
    [',DC=x', /RDN 1 is empty/],
    ['DC=x,', /RDN 2 is empty/],
    ['OU=,DC=x', /empty value/],
    ['OU=a\\', /incomplete escape/],
    ['OU=a\\zz,DC=x', /incomplete escape/],
    ['O U=a', /not an attribute name/],
    ['OU=a;b', /unescaped ";"/],
  ])('refuses %s', (dn, why) => expect(dnProblem(dn)).toMatch(why));
});

describe('parseServerUrl', () => {
  it.each([
    ['dc.example.com', 'ldaps://dc.example.com', 636],
    ['ldaps://dc.example.com:3269', 'ldaps://dc.example.com:3269', 3269],
    ['ldap://127.0.0.17', 'ldap://127.0.0.17', 389],
    ['LDAPS://DC1/', 'ldaps://DC1', 636],
    ['ldaps://[::1]:636', 'ldaps://[::1]:636', 636],
  ])('%s', (t, url, port) => expect(parseServerUrl('--server', t)).toMatchObject({ url, port }));
  it.each([
    ['', /empty/],
    ['ldaps://', /host name is missing/],
    ['ftp://x', /ldaps:\/\/ or ldap:\/\//],
    ['ldaps://x/DC=y', /no path/],
    ['ldaps://x?y', /no path/],
    ['ldaps://u@x', /no path, user/],
    ['ldaps://x:0', /port/],
    ['ldaps://x:65536', /port/],
    ['ldaps://-x-', /not a host name/],
  ])('refuses "%s"', (t, why) => expect(() => parseServerUrl('--server', t)).toThrow(why));
});

describe('paths and CA files', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'laps-parse-input-'));
    mkdirSync(join(root, 'dir'));
    writeFileSync(join(root, 'file'), 'x');
    writeFileSync(join(root, 'bad.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('inputFile: a file, not a folder or a missing path', () => {
    expect(inputFile('--x', join(root, 'file'))).toBe(join(root, 'file'));
    expect(() => inputFile('--x', join(root, 'dir'))).toThrow(/--x .* is a folder/);
    expect(() => inputFile('--x', join(root, 'nope'))).toThrow(/--x .*no such file/);
  });
  it('outputDir: a folder or creatable under one; not a file or under a file', () => {
    expect(outputDir('--out', join(root, 'dir'))).toBeTruthy();
    expect(outputDir('--out', join(root, 'new', 'deeper'))).toBeTruthy();
    expect(() => outputDir('--out', join(root, 'file'))).toThrow(/--out .* is a file, not a folder/);
    expect(() => outputDir('--out', join(root, 'file', 'sub'))).toThrow(/--out .* is a file, not a folder/);
  });
  it('outputFile: in an existing folder, not a folder itself', () => {
    expect(outputFile('--csv', join(root, 'x.csv'))).toBeTruthy();
    expect(() => outputFile('--csv', join(root, 'dir'))).toThrow(/--csv .* is a folder/);
    expect(() => outputFile('--csv', join(root, 'nope', 'x.csv'))).toThrow(/--csv .* does not exist/);
  });
  it('caFile: needs a PEM certificate that parses', () => {
    expect(() => caFile('--ca-file', join(root, 'file'))).toThrow(/holds no PEM certificate/);
    expect(() => caFile('--ca-file', join(root, 'bad.pem'))).toThrow(/certificate 1 of 1 is damaged/);
  });
});
