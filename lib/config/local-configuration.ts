/**
 * This node's configuration as the cluster sees it: what the process runs (the document loaded
 * at start, with hot settings as they are on disk now, since those apply at once) and what is
 * on disk now (what a restart would load). Reported on every heartbeat, so the disk is read
 * again only when one of the files behind it changed.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { APPLIED_REFERENCE_FILE, readAppliedReference, type TAppliedReference } from '@/lib/config/applied-reference';
import {
  configFingerprint,
  hotSettings,
  readLocalConfig,
  SETTINGS_FILE,
  type TConfigDocument,
  type TServerSettings,
} from '@/lib/config/document';
import { certificateFiles } from '@/lib/tls/certificate-files';
import { localOptionsFile, readKeepOwnCertificate } from '@/lib/tls/keep-own-certificate';
import type { TReportedConfiguration } from '@/lib/cluster/store';
import { DISABLED_PLUGINS_FILE } from '@/lib/plugins/plugin-switches';

type TSnapshot = {
  onDisk: TConfigDocument;
  reference: TAppliedReference | null;
  keepOwnCertificate: boolean;
  /** what report() answers for this snapshot, computed once: report() runs on every heartbeat */
  report?: TReportedConfiguration;
};

export class LocalConfiguration {
  private started?: TConfigDocument;
  private cached?: { key: string; snapshot: TSnapshot };

  constructor(private readonly dataDir: string) {}

  /** Reads what this process runs with; once, at start. */
  async load(): Promise<TConfigDocument> {
    this.started = (await this.snapshot()).onDisk;
    return this.started;
  }

  /** The server settings in force now: restart-required ones as loaded, hot ones as on disk. */
  async settings(): Promise<TServerSettings> {
    return this.running((await this.snapshot()).onDisk).settings;
  }

  async report(): Promise<TReportedConfiguration> {
    const snapshot = await this.snapshot();
    snapshot.report ??= this.reportOf(snapshot);
    return snapshot.report;
  }

  private reportOf({ onDisk, reference, keepOwnCertificate }: TSnapshot): TReportedConfiguration {
    // a node that keeps its own certificate compares as if it had the reference's
    const compared = (document: TConfigDocument): TConfigDocument =>
      keepOwnCertificate && reference ? { ...document, certificate: reference.document.certificate } : document;
    const activeDocument = compared(this.running(onDisk));
    const pendingDocument = compared(onDisk);
    const pending = configFingerprint(pendingDocument);
    const baseline = reference?.fingerprint ?? configFingerprint(compared(this.startedDocument()));
    return {
      active: configFingerprint(activeDocument),
      pending,
      activeDocument,
      pendingDocument,
      localChanges: pending !== baseline,
      keepsOwnCertificate: keepOwnCertificate,
    };
  }

  private startedDocument(): TConfigDocument {
    if (!this.started) throw new Error('LocalConfiguration.load() must run first');
    return this.started;
  }

  private running(onDisk: TConfigDocument): TConfigDocument {
    const started = this.startedDocument();
    return { ...started, settings: { ...started.settings, ...hotSettings(onDisk.settings) } };
  }

  private async snapshot(): Promise<TSnapshot> {
    const watched = [
      ...['plugins', SETTINGS_FILE, APPLIED_REFERENCE_FILE, DISABLED_PLUGINS_FILE].map((file) => path.join(this.dataDir, file)),
      certificateFiles(this.dataDir).certificate,
      localOptionsFile(this.dataDir),
    ];
    const key = watched.map((file) => (existsSync(file) ? statSync(file).mtimeMs : 0)).join('|');
    if (this.cached?.key !== key) {
      const [onDisk, reference, keepOwnCertificate] = await Promise.all([
        readLocalConfig(this.dataDir),
        readAppliedReference(this.dataDir),
        readKeepOwnCertificate(this.dataDir),
      ]);
      this.cached = { key, snapshot: { onDisk, reference, keepOwnCertificate } };
    }
    return this.cached.snapshot;
  }
}
