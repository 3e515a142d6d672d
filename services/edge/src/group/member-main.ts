import { runGroupMember } from './run-group-member.js';

process.exit(await runGroupMember(process.argv.slice(2), process.env));
