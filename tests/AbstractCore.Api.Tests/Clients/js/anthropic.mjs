// A streamed tool-use round trip with Anthropic's TypeScript SDK against the gateway's Messages API, as JSON on stdout:
//   node anthropic.mjs <gateway root URL (the SDK adds /v1/messages)> <token> <model>
// Turn 1 streams a tool_use block (its input assembled by the SDK from input_json_delta events); the script runs the
// tool and turn 2 sends its tool_result back and streams the final text.
import Anthropic from '@anthropic-ai/sdk';

const [baseURL, apiKey, model] = process.argv.slice(2);
const client = new Anthropic({ baseURL, apiKey, maxRetries: 0, timeout: 60_000 });
const tools = [{
  name: 'get_weather',
  description: 'Weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } }, required: ['city'] },
}];
const weather = ({ city }) => ({ city, celsius: 21 });

// One streamed turn: every event's type (delta type too), the input_json_delta fragments and the final message.
async function turn(messages) {
  const stream = client.messages.stream({ model, max_tokens: 1024, tools, messages });
  const events = [];
  const fragments = [];
  let text = '';
  for await (const event of stream) {
    events.push(event.type === 'content_block_delta' ? `${event.type}:${event.delta.type}` : event.type);
    if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') fragments.push(event.delta.partial_json);
    if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
  }
  const message = await stream.finalMessage();
  return { events, fragments, text, id: message.id, stop_reason: message.stop_reason, usage: message.usage, content: message.content };
}

const messages = [{ role: 'user', content: 'What is the weather in Oslo?' }];
const first = await turn(messages);
const call = first.content.find(b => b.type === 'tool_use');
if (!call) throw new Error(`turn 1 has no tool_use block: ${JSON.stringify(first)}`);
messages.push(
  { role: 'assistant', content: first.content },
  { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: JSON.stringify(weather(call.input)) }] });
const second = await turn(messages);
process.stdout.write(JSON.stringify({ first, second }));
