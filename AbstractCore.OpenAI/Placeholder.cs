namespace AbstractCore.OpenAI;
