import type { Command } from 'commander';
import { nonce } from '../udf/fixed.js';
import {
  createSshApplication, listSshApplications, mailApplication, MeshError, sealMeshObject, sshClientKey, sshPrivateKeyOpenSsh,
  sshPrivateKeyPkcs8, sshPublicKeyLine, type Catalog, type CatalogEntryOf, type CatalogName, type CatalogedApplicationMail, type CatalogedBookmark,
  type CatalogedContact, type CatalogedCredential, type CatalogedNetwork, type CatalogedTask, type ContactPerson, type Engagement,
  type MeshAccount,
} from '../mesh/index.js';
import { outputTarget } from './files.js';
import type { CliIo } from './io.js';
import { hostCommand, openAccount, output, writeOutputFile, type HostOptions } from './mesh-home.js';

/**
 * The catalog verbs of the reference's meshman (features.md §D rows 35–42): `password`,
 * `bookmark`, `calendar` (MMM_Task), `network`, `contact`, `ssh`, `mail` — each `add`, `get`,
 * `list`, `delete` where the reference has them, thin over `account.catalog(...)`.
 *
 * Secrets are printed only by the commands whose purpose is to print them (`password get`,
 * `network get`, `ssh get --private`); `add` and `list` never echo a password (REF's `password
 * add` does — a deliberate difference: a terminal's scroll-back and logs keep it).
 */

async function withCatalog<K extends CatalogName, R>(
  io: CliIo, o: HostOptions, name: K, f: (c: Catalog<K>, account: MeshAccount) => Promise<R>,
): Promise<R> {
  const { account } = await openAccount(io, o);
  const c = await account.catalog(name);
  try {
    return await f(c, account);
  } finally {
    await c.close();
  }
}

function notFound(what: string, id: string): never {
  throw new MeshError('MESH_NOT_FOUND', `no ${what} ${id.slice(0, 100)}`);
}

function find<K extends CatalogName>(c: Catalog<K>, match: (e: CatalogEntryOf<K>) => boolean): CatalogEntryOf<K> | undefined {
  return c.list().find(match);
}

/** Adds the catalog commands. */
export function addCatalogCommands(program: Command, io: CliIo): void {
  // password (MMM_Credential)
  const password = program.command('password').description('passwords (MMM_Credential)');
  const credSite = (e: CatalogedCredential): string => e.Service ?? '';
  hostCommand(password.command('add')).description('add or update the password of a site')
    .argument('<site>').argument('<user>').argument('<password>')
    .action(async (site: string, user: string, pw: string, o: HostOptions) => withCatalog(io, o, 'credential', async (c) => {
      const existing = find(c, (e) => credSite(e) === site);
      const entry: CatalogedCredential = { ...(existing ?? { $class: 'CatalogedCredential' }), Service: site, Username: user, Password: pw };
      const { event } = await c.put(entry);
      output(io, o, { site, username: user, event }, [`${user}@${site} ${event === 'New' ? 'added' : 'updated'}`]);
    }));
  hostCommand(password.command('get')).description('print the user and password of a site').argument('<site>')
    .action(async (site: string, o: HostOptions) => withCatalog(io, o, 'credential', async (c) => {
      const e = find(c, (x) => credSite(x) === site) ?? notFound('password for', site);
      output(io, o, { site, username: e.Username ?? null, password: e.Password ?? null }, [`${e.Username ?? ''}@${site} = [${e.Password ?? ''}]`]);
    }));
  hostCommand(password.command('list')).description('the sites with a password (passwords not shown)')
    .action(async (o: HostOptions) => withCatalog(io, o, 'credential', async (c) => {
      const l = c.list();
      output(io, o, { entries: l.map((e) => ({ site: credSite(e), username: e.Username ?? null })) }, l.map((e) => `${e.Username ?? ''}@${credSite(e)}`));
    }));
  hostCommand(password.command('delete')).description('delete the password of a site').argument('<site>')
    .action(async (site: string, o: HostOptions) => withCatalog(io, o, 'credential', async (c) => {
      const e = find(c, (x) => credSite(x) === site) ?? notFound('password for', site);
      await c.delete(c.keyOf(e));
      output(io, o, { site, deleted: true }, [`Deleted ${site}`]);
    }));

  // bookmark (MMM_Bookmark): Uri and Title in their own members (REF's example swaps them).
  const bookmark = program.command('bookmark').description('bookmarks (MMM_Bookmark)');
  const bmMatch = (id: string) => (e: CatalogedBookmark): boolean => e.Uid === id || e.Uri === id || e.LocalName === id;
  const bmView = (e: CatalogedBookmark) => ({ id: e.Uid ?? null, uri: e.Uri ?? null, title: e.Title ?? null });
  hostCommand(bookmark.command('add')).description('add a bookmark').argument('<uri>').argument('<title>')
    .option('--id <id>', 'local name (default: a fresh nonce id)')
    .action(async (uri: string, title: string, o: HostOptions & { id?: string }) => withCatalog(io, o, 'bookmark', async (c) => {
      const existing = find(c, (e) => e.Uri === uri || (o.id !== undefined && e.LocalName === o.id));
      const entry: CatalogedBookmark = {
        $class: 'CatalogedBookmark', ...(o.id ? { LocalName: o.id } : {}), Uid: existing?.Uid ?? nonce({ random: io.random }), Uri: uri, Title: title,
      };
      await c.put(entry);
      output(io, o, bmView(entry), [`${entry.Uid} ${uri} ${title}`]);
    }));
  hostCommand(bookmark.command('get')).description('a bookmark by id, local name or URI').argument('<id>')
    .action(async (id: string, o: HostOptions) => withCatalog(io, o, 'bookmark', async (c) => {
      const e = find(c, bmMatch(id)) ?? notFound('bookmark', id);
      output(io, o, bmView(e), [`${e.Uri ?? ''} ${e.Title ?? ''}`]);
    }));
  hostCommand(bookmark.command('list')).description('every bookmark')
    .action(async (o: HostOptions) => withCatalog(io, o, 'bookmark', async (c) => {
      output(io, o, { entries: c.list().map(bmView) }, c.list().map((e) => `${e.Uid ?? ''} ${e.Uri ?? ''} ${e.Title ?? ''}`));
    }));
  hostCommand(bookmark.command('delete')).description('delete a bookmark').argument('<id>')
    .action(async (id: string, o: HostOptions) => withCatalog(io, o, 'bookmark', async (c) => {
      const e = find(c, bmMatch(id)) ?? notFound('bookmark', id);
      await c.delete(c.keyOf(e));
      output(io, o, { id: e.Uid, deleted: true }, [`Deleted ${e.Uri ?? id}`]);
    }));

  // calendar (MMM_Task)
  const calendar = program.command('calendar').description('calendar entries and tasks (MMM_Task)');
  const taskMatch = (id: string) => (e: CatalogedTask): boolean => e.Key === id || e.Title === id;
  const taskView = (e: CatalogedTask) => ({ key: e.Key ?? null, title: e.Title ?? null });
  hostCommand(calendar.command('add')).description('add an entry').argument('<title>')
    .option('--start <time>', 'start (ISO 8601)').option('--end <time>', 'end (ISO 8601)').option('--description <text>')
    .action(async (title: string, o: HostOptions & { start?: string; end?: string; description?: string }) => withCatalog(io, o, 'task', async (c) => {
      const when = (v: string | undefined, what: string): Date | undefined => {
        if (v === undefined) return undefined;
        const d = new Date(v);
        if (Number.isNaN(d.getTime())) throw new MeshError('MESH_BAD_ARGUMENT', `--${what} is not a date and time`);
        return d;
      };
      const key = nonce({ random: io.random });
      const start = when(o.start, 'start');
      const finish = when(o.end, 'end');
      const engagement: Engagement = {
        $class: 'Engagement', Key: key, Title: title, ...(start ? { Start: start } : {}), ...(finish ? { Finish: finish } : {}),
        ...(o.description ? { Description: o.description } : {}),
      };
      const entry: CatalogedTask = { $class: 'CatalogedTask', Key: key, Title: title, EnvelopedTask: sealMeshObject(engagement, { random: io.random }) };
      await c.put(entry);
      output(io, o, taskView(entry), [`${key} ${title}`]);
    }));
  hostCommand(calendar.command('get')).description('an entry by key or title').argument('<id>')
    .action(async (id: string, o: HostOptions) => withCatalog(io, o, 'task', async (c) => {
      const e = find(c, taskMatch(id)) ?? notFound('calendar entry', id);
      output(io, o, taskView(e), [`${e.Key ?? ''} ${e.Title ?? ''}`]);
    }));
  hostCommand(calendar.command('list')).description('every entry')
    .action(async (o: HostOptions) => withCatalog(io, o, 'task', async (c) => {
      output(io, o, { entries: c.list().map(taskView) }, c.list().map((e) => `${e.Key ?? ''} ${e.Title ?? ''}`));
    }));
  hostCommand(calendar.command('delete')).description('delete an entry').argument('<id>')
    .action(async (id: string, o: HostOptions) => withCatalog(io, o, 'task', async (c) => {
      const e = find(c, taskMatch(id)) ?? notFound('calendar entry', id);
      await c.delete(c.keyOf(e));
      output(io, o, { key: e.Key, deleted: true }, [`Deleted ${e.Title ?? id}`]);
    }));

  // network (MMM_Network)
  const network = program.command('network').description('network credentials, e.g. WiFi (MMM_Network)');
  const netMatch = (id: string) => (e: CatalogedNetwork): boolean => e.Service === id;
  hostCommand(network.command('add')).description('add or update a network').argument('<ssid>').argument('<password>')
    .option('--user <name>', 'user name').option('--protocol <p>', 'e.g. wifi')
    .action(async (ssid: string, pw: string, o: HostOptions & { user?: string; protocol?: string }) => withCatalog(io, o, 'network', async (c) => {
      const existing = find(c, netMatch(ssid));
      const entry: CatalogedNetwork = {
        ...(existing ?? { $class: 'CatalogedNetwork' }), ...(o.protocol ? { Protocol: o.protocol } : {}), Service: ssid, Password: pw,
        ...(o.user ? { Username: o.user } : {}),
      };
      const { event } = await c.put(entry);
      output(io, o, { ssid, event }, [`${ssid} ${event === 'New' ? 'added' : 'updated'}`]);
    }));
  hostCommand(network.command('get')).description('print a network\'s password').argument('<ssid>')
    .action(async (ssid: string, o: HostOptions) => withCatalog(io, o, 'network', async (c) => {
      const e = find(c, netMatch(ssid)) ?? notFound('network', ssid);
      output(io, o, { ssid, username: e.Username ?? null, password: e.Password ?? null }, [`${ssid} = [${e.Password ?? ''}]`]);
    }));
  hostCommand(network.command('list')).description('the networks (passwords not shown)')
    .action(async (o: HostOptions) => withCatalog(io, o, 'network', async (c) => {
      output(io, o, { entries: c.list().map((e) => ({ ssid: e.Service ?? null, username: e.Username ?? null })) }, c.list().map((e) => e.Service ?? ''));
    }));
  hostCommand(network.command('delete')).description('delete a network').argument('<ssid>')
    .action(async (ssid: string, o: HostOptions) => withCatalog(io, o, 'network', async (c) => {
      const e = find(c, netMatch(ssid)) ?? notFound('network', ssid);
      await c.delete(c.keyOf(e));
      output(io, o, { ssid, deleted: true }, [`Deleted ${ssid}`]);
    }));

  // contact (MMM_Contact)
  const contact = program.command('contact').description('contacts (MMM_Contact); the self contact exists from account creation');
  const addressesOf = (e: CatalogedContact): string[] => (e.Contact?.NetworkAddresses ?? []).map((a) => a.Address ?? '').filter((a) => a !== '');
  const nameOf = (e: CatalogedContact): string => {
    const p = e.Contact as ContactPerson | undefined;
    return p?.CommonNames?.[0]?.FullName ?? '';
  };
  const contactMatch = (id: string) => (e: CatalogedContact): boolean => e.Key === id || addressesOf(e).includes(id);
  const contactView = (e: CatalogedContact) => ({ key: e.Key ?? null, self: e.Self === true, name: nameOf(e) || null, addresses: addressesOf(e) });
  const contactLine = (e: CatalogedContact): string => `${e.Self ? '(self) ' : ''}${nameOf(e) || '-'} ${addressesOf(e).join(',')} ${e.Key ?? ''}`;
  hostCommand(contact.command('add')).description('add or update a contact').argument('<address>').argument('<name>')
    .action(async (address: string, name: string, o: HostOptions) => withCatalog(io, o, 'contact', async (c) => {
      const existing = find(c, (e) => e.Self !== true && addressesOf(e).includes(address));
      const person: ContactPerson = {
        $class: 'ContactPerson', CommonNames: [{ FullName: name }], NetworkAddresses: [{ Address: address }],
      };
      const entry: CatalogedContact = { $class: 'CatalogedContact', Key: existing?.Key ?? nonce({ random: io.random }), Contact: person };
      const { event } = await c.put(entry);
      output(io, o, { ...contactView(entry), event }, [`${name} <${address}> ${event === 'New' ? 'added' : 'updated'}`]);
    }));
  hostCommand(contact.command('get')).description('a contact by address or key').argument('<id>')
    .action(async (id: string, o: HostOptions) => withCatalog(io, o, 'contact', async (c) => {
      const e = find(c, contactMatch(id)) ?? notFound('contact', id);
      output(io, o, contactView(e), [contactLine(e)]);
    }));
  hostCommand(contact.command('list')).description('every contact')
    .action(async (o: HostOptions) => withCatalog(io, o, 'contact', async (c) => {
      output(io, o, { entries: c.list().map(contactView) }, c.list().map(contactLine));
    }));
  hostCommand(contact.command('delete')).description('delete a contact (not the self contact)').argument('<id>')
    .action(async (id: string, o: HostOptions) => withCatalog(io, o, 'contact', async (c) => {
      const e = find(c, (x) => x.Self !== true && contactMatch(id)(x)) ?? notFound('contact (other than the self contact)', id);
      await c.delete(c.keyOf(e));
      output(io, o, { key: e.Key, deleted: true }, [`Deleted ${id}`]);
    }));

  // ssh (MMM_Application, CatalogedApplicationSsh)
  const ssh = program.command('ssh').description('SSH client keys (Ed25519; MMM_Application)');
  hostCommand(ssh.command('create')).description('create an SSH client key for the account')
    .option('--id <id>', 'local name (default ssh)').option('--grant <roles>', 'roles whose devices get the private key (default web)', 'web')
    .action(async (o: HostOptions & { id?: string; grant: string }) => {
      const { account } = await openAccount(io, o);
      const app = await createSshApplication(account, { ...(o.id ? { id: o.id } : {}), grant: o.grant.split(',').filter((r) => r !== ''), random: io.random });
      output(io, o, { id: app.LocalName, udf: app.Key }, [`UDF: ${app.Key}`]);
    });
  hostCommand(ssh.command('get')).description('print (or write) the public key, or with --private the private key').argument('<id>')
    .option('--private', 'the private key (OpenSSH format unless --format pkcs8)')
    .option('--format <f>', 'private key format: openssh (default) or pkcs8', 'openssh')
    .option('--file <path>', 'write to a file (0600) instead of printing').option('--force', 'replace --file if it exists')
    .action(async (id: string, o: HostOptions & { private?: boolean; format: string; file?: string; force?: boolean }) => {
      if (o.format !== 'openssh' && o.format !== 'pkcs8') throw new MeshError('MESH_BAD_ARGUMENT', '--format is openssh or pkcs8');
      const target = o.file === undefined ? undefined : await outputTarget(o.file, o.force === true);
      const { account } = await openAccount(io, o);
      const { app, key } = await sshClientKey(account, id, { private: o.private === true });
      const comment = `${app.LocalName ?? id}@${account.address}`;
      const text = o.private
        ? (o.format === 'pkcs8' ? sshPrivateKeyPkcs8(key) : sshPrivateKeyOpenSsh(key, comment, io.random))
        : sshPublicKeyLine(key, comment) + '\n';
      if (target) {
        await writeOutputFile(target, text);
        output(io, o, { id: app.LocalName, udf: app.Key, file: o.file }, [`Wrote ${o.private ? 'private' : 'public'} key to ${o.file}`]);
      } else if (o.json) {
        output(io, o, { id: app.LocalName, udf: app.Key, [o.private ? 'privateKey' : 'publicKey']: text }, []);
      } else {
        io.stdout(text);
      }
    });
  hostCommand(ssh.command('list')).description('the SSH client keys')
    .action(async (o: HostOptions) => {
      const { account } = await openAccount(io, o);
      const l = await listSshApplications(account);
      output(io, o, { entries: l.map((a) => ({ id: a.LocalName ?? null, udf: a.Key ?? null, grant: a.Grant ?? [] })) }, l.map((a) => `${a.LocalName ?? ''} ${a.Key ?? ''}`));
    });

  // mail (MMM_Application, CatalogedApplicationMail)
  const mail = program.command('mail').description('mail accounts (MMM_Application)');
  const mailView = (e: CatalogedApplicationMail) => ({ address: e.AccountAddress ?? null, inbound: e.InboundConnect ?? null, outbound: e.OutboundConnect ?? null });
  const mails = (c: Catalog<'application'>): CatalogedApplicationMail[] => c.list().filter((e): e is CatalogedApplicationMail => e.$class === 'CatalogedApplicationMail');
  hostCommand(mail.command('add')).description('add or update a mail account').argument('<address>')
    .option('--inbound <uri>', 'e.g. imap://imap.example.com').option('--outbound <uri>', 'e.g. submit://smtp.example.com')
    .action(async (address: string, o: HostOptions & { inbound?: string; outbound?: string }) => withCatalog(io, o, 'application', async (c) => {
      const entry = mailApplication(address, { ...(o.inbound ? { inbound: o.inbound } : {}), ...(o.outbound ? { outbound: o.outbound } : {}) });
      const { event } = await c.put(entry);
      output(io, o, { ...mailView(entry), event }, [`${address} ${event === 'New' ? 'added' : 'updated'}`]);
    }));
  hostCommand(mail.command('get')).description('a mail account').argument('<address>')
    .action(async (address: string, o: HostOptions) => withCatalog(io, o, 'application', async (c) => {
      const e = mails(c).find((m) => m.AccountAddress === address) ?? notFound('mail account', address);
      output(io, o, mailView(e), [`${address} inbound=${e.InboundConnect ?? '-'} outbound=${e.OutboundConnect ?? '-'}`]);
    }));
  hostCommand(mail.command('list')).description('the mail accounts')
    .action(async (o: HostOptions) => withCatalog(io, o, 'application', async (c) => {
      output(io, o, { entries: mails(c).map(mailView) }, mails(c).map((m) => m.AccountAddress ?? ''));
    }));
}
