// One agent turn through a real JS client against the gateway, printed as JSON on stdout:
//   node agent.mjs <ai-sdk|langchain> <baseURL> <token> <model> <plain|stream|result>
// "result" runs the tool and sends its result back (a second request), as an agent loop does.
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { ChatOpenAI } from '@langchain/openai';
import { ToolMessage } from '@langchain/core/messages';

const [client, baseURL, token, model, mode] = process.argv.slice(2);
const prompt = 'What is the weather in Oslo and in Paris?';
const parameters = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
const weather = ({ city }) => ({ city, celsius: 21 });

async function aiSdk() {
  const provider = createOpenAICompatible({ name: 'acore', baseURL, apiKey: token });
  const tools = {
    get_weather: tool({ description: 'Weather in a city', inputSchema: jsonSchema(parameters), ...(mode === 'result' ? { execute: weather } : {}) }),
  };
  const args = { model: provider(model), tools, prompt, maxRetries: 0, stopWhen: stepCountIs(mode === 'result' ? 2 : 1) };
  let result;
  if (mode === 'stream') {
    result = streamText(args);
    for await (const part of result.fullStream) {
      if (part.type === 'error') throw part.error;
    }
  } else {
    result = await generateText(args);
  }
  const first = (await result.steps)[0];
  return {
    content: first.text,
    calls: first.toolCalls.map(c => ({ id: c.toolCallId, name: c.toolName, args: c.input })),
    finish: first.finishReason,
    final: mode === 'result' ? await result.text : undefined,
  };
}

async function langChain() {
  const llm = new ChatOpenAI({ model, apiKey: token, configuration: { baseURL }, maxRetries: 0, streaming: mode === 'stream' })
    .bindTools([{ type: 'function', function: { name: 'get_weather', description: 'Weather in a city', parameters } }]);
  let message;
  if (mode === 'stream') {
    for await (const chunk of await llm.stream(prompt)) message = message ? message.concat(chunk) : chunk;
  } else {
    message = await llm.invoke(prompt);
  }
  let final;
  if (mode === 'result') {
    const results = message.tool_calls.map(c => new ToolMessage({ tool_call_id: c.id, content: JSON.stringify(weather(c.args)) }));
    final = (await llm.invoke([['human', prompt], message, ...results])).content;
  }
  return {
    content: typeof message.content === 'string' ? message.content : JSON.stringify(message.content),
    calls: (message.tool_calls ?? []).map(c => ({ id: c.id, name: c.name, args: c.args })),
    finish: message.response_metadata?.finish_reason,
    final,
  };
}

const output = client === 'ai-sdk' ? await aiSdk() : await langChain();
process.stdout.write(JSON.stringify(output));
