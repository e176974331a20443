import type { EntityKind } from './entity.ts';

/**
 * Names whose kind their shape does not tell (rules as data): companies written like products ("OpenAI"),
 * products written like companies ("Kubernetes"). Keys as `entityKey` gives them. Consulted before the shape
 * rules; anything not here keeps what compromise and the shape rules say.
 */
export const KNOWN_KINDS: ReadonlyMap<string, EntityKind> = new Map<string, EntityKind>([
  ...['nvidia', 'amd', 'intel', 'arm', 'tsmc', 'huawei', 'openai', 'anthropic', 'microsoft', 'google', 'alphabet', 'apple', 'meta', 'amazon', 'aws', 'samsung', 'sk hynix', 'micron', 'ibm', 'oracle', 'sap', 'red hat', 'vmware', 'broadcom', 'qualcomm', 'asml', 'cloudflare', 'github', 'tesla', 'spacex', 'alibaba', 'tencent', 'baidu', 'bytedance', 'deepmind', 'mistral', 'hugging face', 'supermicro', 'dell', 'hpe', 'lenovo', 'cisco', 'ericsson', 'nokia', 'xai', 'netflix', 'uber', 'salesforce', 'servicenow', 'mediatek', 'globalfoundries', 'smic', 'canonical', 'suse', 'hashicorp', 'docker', 'confluent']
    .map((k) => [k, 'organization'] as [string, EntityKind]),
  ...['chatgpt', 'gemini', 'claude', 'llama', 'copilot', 'windows', 'linux', 'kubernetes', 'postgresql', 'iphone', 'ipad', 'android', 'xeon', 'epyc', 'ryzen', 'geforce', 'blackwell', 'hopper', 'cuda', 'starlink', 'tiktok', 'whatsapp', 'instagram', 'youtube', 'chrome', 'firefox', 'macos', 'ios']
    .map((k) => [k, 'product'] as [string, EntityKind]),
]);

/** Last words that make a name an organisation ("Siemens AG", "Linux Foundation", "Ministry of Defence" is caught by compromise). */
export const ORG_SUFFIXES: ReadonlySet<string> = new Set(['inc', 'corp', 'corporation', 'co', 'ltd', 'llc', 'plc', 'gmbh', 'ag', 'se', 'sa', 'nv', 'bv', 'spa', 'kk', 'group', 'holdings', 'foundation', 'association', 'university', 'institute', 'agency', 'commission', 'ministry', 'bank', 'labs', 'systems', 'technologies', 'networks', 'consortium', 'council']);

/** Words that open a name without being part of it ("The Linux Foundation" → "Linux Foundation"). */
export const LEADING_ARTICLES: ReadonlySet<string> = new Set(['the', 'ο', 'η', 'το', 'οι', 'a', 'an', 'der', 'die', 'das', 'le', 'la', 'les', 'el', 'los', 'las', 'il', 'lo', 'de', 'het']);

/** Capitalised words that are not names: acronyms of things and titles ("GPU", "CEO"). Keys as `entityKey` gives them. */
export const NOT_NAMES: ReadonlySet<string> = new Set(['gpu', 'gpus', 'cpu', 'cpus', 'ai', 'api', 'apis', 'ssd', 'ssds', 'dram', 'hbm', 'nand', 'llm', 'llms', 'ceo', 'cfo', 'cto', 'coo', 'ipo', 'ev', 'evs', 'pc', 'pcs', 'os', 'tv', 'it', 'vr', 'ar', 'saas', 'faq', 'pdf', 'url', 'ok', 'tb', 'gb', 'mb', 'ghz', 'nm', 'q1', 'q2', 'q3', 'q4']);
