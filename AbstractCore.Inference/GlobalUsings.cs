global using AbstractCore.Inference;
