import type { Command } from 'commander';
import { NodeWebSocket } from '../../adapters/http/node-push.js';
import { MeshClient } from '../client/mesh-client.js';
import { MeshMessages, type SentMessage } from '../client/messages.js';
import type { MeshAccount } from '../mesh/index.js';
import { escapeText } from './escape.js';
import { CliExit, type CliIo } from './io.js';
import { hostCommand, openAccount, output, type HostOptions } from './mesh-home.js';
import { parseInteger } from './options.js';
import { serviceOf } from './mesh-client.js';
import { parseConnectUri } from '../mesh/connect/uri.js';

/**
 * Messages between people on the command line (features.md rows 44–51; protocol.md F6, F7):
 * `contact request ADDRESS`, `contact dynamic`, `contact exchange URI`, `contact static`, `contact fetch URI`, `message pending|accept|reject|block|confirm|status`, and the
 * automatic part of `account sync --auto` ({@link autoProcess}) — thin over
 * `mathmesh/client`'s MeshMessages, on a bound account.
 */

function messagesOf(account: MeshAccount): MeshMessages {
  return new MeshMessages(new MeshClient(account, { WebSocket: NodeWebSocket }));
}

function sentLines(sent: SentMessage): string[] {
  return [`Envelope ID: ${sent.envelopeId}`, `Message ID: ${sent.messageId}`, `Response ID: ${sent.responseId}`];
}

function sentView(sent: SentMessage): Record<string, unknown> {
  return { recipient: sent.recipient, envelopeId: sent.envelopeId, messageId: sent.messageId, responseId: sent.responseId };
}

/** `account sync --auto`: files the contacts that answered our requests; returns the lines to print. */
export async function autoProcess(account: MeshAccount): Promise<{ contacts: string[]; lines: string[] }> {
  const contacts = await messagesOf(account).processAutomatic();
  return { contacts, lines: contacts.map((c) => `Added contact ${escapeText(c)}`) };
}

/** Adds `contact request` (to the existing `contact` command) and `message …`. */
export function addMessageCommands(program: Command, io: CliIo): void {
  const contact = program.commands.find((c) => c.name() === 'contact') ?? program.command('contact').description('contacts (MMM_Contact)');
  hostCommand(contact.command('request'))
    .description('ask ADDRESS (on any Mesh service) to exchange contacts: sends them your signed contact')
    .argument('<address>')
    .option('--subject <text>', 'a line for the recipient')
    .action(async (address: string, o: HostOptions & { subject?: string }) => {
      const { account } = await openAccount(io, o);
      const sent = await messagesOf(account).contactRequest(address, o.subject ? { subject: o.subject } : {});
      output(io, o, sentView(sent), sentLines(sent));
    });

  hostCommand(contact.command('dynamic'))
    .description('a one-time URI (mcu://ADDRESS/PIN) whose holder becomes your contact at your next account sync --auto')
    .option('--expire <minutes>', 'how long the URI works (default 1440: a day)', parseInteger)
    .action(async (o: HostOptions & { expire?: number }) => {
      const { account } = await openAccount(io, o);
      const r = await messagesOf(account).dynamicContact(o.expire !== undefined ? { expiresMs: o.expire * 60_000 } : {});
      output(io, o, { uri: r.uri, pinId: r.pinId, expires: r.expires.toISOString() }, [r.uri, `Expires: ${r.expires.toISOString()}`]);
    });
  hostCommand(contact.command('exchange'))
    .description('exchange contacts through a URI from contact dynamic (no question asked on either side)')
    .argument('<uri>', 'mcu://ADDRESS/PIN')
    .action(async (uri: string, o: HostOptions) => {
      const { account } = await openAccount(io, o);
      const sent = await messagesOf(account).exchangeContact(uri);
      output(io, o, sentView(sent), sentLines(sent));
    });

  hostCommand(contact.command('static'))
    .description('publish your contact under a new URI (mcu://ADDRESS/E…, for a business card\'s QR code): whoever holds it can fetch your contact while your devices are off')
    .option('--expire <minutes>', 'how long the URI works (default: until your service forgets it)', parseInteger)
    .action(async (o: HostOptions & { expire?: number }) => {
      const { account } = await openAccount(io, o);
      const expires = o.expire !== undefined ? new Date(Date.now() + o.expire * 60_000) : undefined;
      const r = await messagesOf(account).staticContact(expires ? { expires } : {});
      output(io, o, { uri: r.uri, publicationId: r.publicationId, ...(expires ? { expires: expires.toISOString() } : {}) }, [r.uri]);
    });
  hostCommand(contact.command('fetch'))
    .description('add the contact published at a URI from contact static, after checking it is signed by the account it names')
    .argument('<uri>', 'mcu://ADDRESS/E…')
    .option('--service <url>', 'the service of ADDRESS (default: MESH_RESOLVE, DNS SRV, https://DOMAIN/.well-known/mmm/)')
    .action(async (uri: string, o: HostOptions & { service?: string }) => {
      const { account } = await openAccount(io, o);
      const parsed = parseConnectUri(uri);
      const endpoint = await serviceOf(io, parsed.account, o.service);
      const r = await messagesOf(account).fetchContact(parsed.uri, { endpoint });
      output(io, o, { address: r.address, udf: r.udf }, [`Added contact ${escapeText(r.address)} (${r.udf})`]);
    });

  const message = program.command('message').description('messages from other accounts: contact requests, confirmations (MMM_Inbound)');
  hostCommand(message.command('pending'))
    .description('requests not handled yet (contact requests, confirmation requests); those listed are marked read on every device')
    .option('--read', 'only requests listed before')
    .option('--unread', 'only requests not listed before')
    .option('--raw', 'also print each message as its sender signed it (JSON)')
    .action(async (o: HostOptions & { read?: boolean; unread?: boolean; raw?: boolean }) => {
      if (o.read && o.unread) throw new CliExit(2, 'message pending: --read and --unread exclude each other');
      const { account } = await openAccount(io, o);
      const pending = await messagesOf(account).pending({ ...(o.read ? { only: 'read' as const } : o.unread ? { only: 'unread' as const } : {}), ...(o.raw ? { raw: true } : {}) });
      output(io, o, { pending }, pending.flatMap((m) => [
        `${m.messageId} ${m.messageType} from ${escapeText(m.sender)}${m.fromContact ? '' : ' (not a contact)'}${m.text ? `: ${escapeText(m.text)}` : ''}${m.read ? '' : ' [new]'}`,
        ...(m.raw !== undefined ? [escapeText(m.raw)] : []),
      ]));
    });

  for (const verb of ['accept', 'reject'] as const) {
    hostCommand(message.command(verb))
      .description(verb === 'accept'
        ? 'accept a request: a contact request adds the sender as a contact (and answers with yours); a confirmation is answered yes'
        : 'reject a request: a contact request is closed, a confirmation is answered no')
      .argument('<id>', 'its Message ID (message pending)')
      .action(async (id: string, o: HostOptions) => {
        const { account } = await openAccount(io, o);
        const m = messagesOf(account);
        const r = verb === 'accept' ? await m.accept(id) : await m.reject(id);
        output(io, o, { messageId: id, type: r.type, sender: r.sender, ...(r.reply ? { reply: sentView(r.reply) } : {}) }, [
          `${verb === 'accept' ? 'Accepted' : 'Rejected'} ${r.type} from ${escapeText(r.sender)}`, ...(r.reply ? [`Response ID: ${r.reply.messageId}`] : []),
        ]);
      });
  }

  hostCommand(message.command('block'))
    .description('refuse every later message from the sender of a message (your service enforces it)')
    .argument('<id>', 'its Message ID')
    .action(async (id: string, o: HostOptions) => {
      const { account } = await openAccount(io, o);
      const r = await messagesOf(account).block(id);
      output(io, o, { messageId: id, blocked: r.sender }, [`Blocked ${escapeText(r.sender)}`]);
    });

  hostCommand(message.command('confirm'))
    .description('ask ADDRESS to confirm TEXT (they accept or reject; see message status)')
    .argument('<address>').argument('<text>')
    .action(async (address: string, text: string, o: HostOptions) => {
      const { account } = await openAccount(io, o);
      const sent = await messagesOf(account).confirm(address, text);
      output(io, o, sentView(sent), sentLines(sent));
    });

  hostCommand(message.command('status'))
    .description('the answer to a confirmation request: Accept, Reject or Pending')
    .argument('<responseId>', 'the Response ID message confirm printed')
    .action(async (responseId: string, o: HostOptions) => {
      const { account } = await openAccount(io, o);
      const status = await messagesOf(account).status(responseId);
      output(io, o, { responseId, status }, [status]);
    });
}
