namespace AbstractCore;
