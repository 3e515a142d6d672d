// Every scenario of the bench suite, in the order `npm run bench -- --help` lists them.
import type { Scenario } from '../suite/scenario.js';
import { connectionsScenario } from './connections-scenario.js';
import { crossNodeScenario } from './cross-node-scenario.js';
import { fanoutScenario } from './fanout-scenario.js';
import { groupsScenario } from './groups-scenario.js';
import { manyChannelsScenario } from './many-channels-scenario.js';
import { mqttFanoutScenario } from './mqtt-fanout-scenario.js';
import { publishScenario } from './publish-scenario.js';
import { receiptsScenario } from './receipts-scenario.js';

export const SCENARIOS: readonly Scenario[] = [connectionsScenario, fanoutScenario, manyChannelsScenario, publishScenario, crossNodeScenario, receiptsScenario, groupsScenario, mqttFanoutScenario];
