using System.Text.Json.Nodes;

namespace AbstractCore.Api.Blocs;

/// <summary>The bloc routes' JSON answers.</summary>
internal static class BlocAnswers
{
    public static IResult Ok(string operation, JsonObject fields)
    {
        var body = new JsonObject { ["ok"] = true, ["operation"] = operation };
        foreach (var (name, value) in fields.ToList())
        {
            fields.Remove(name);
            body[name] = value;
        }

        return Json(body, 200);
    }

    public static IResult Fail(string operation, BlocProblem problem)
    {
        var body = new JsonObject { ["ok"] = false, ["operation"] = operation, ["error"] = problem.Message };
        foreach (var (name, value) in problem.Extra ?? [])
        {
            if (value is not null)
            {
                body[name] = value.DeepClone();
            }
        }

        return Json(body, problem.Status);
    }

    public static IResult Json(JsonNode body, int status) => Results.Text(body.ToJsonString(), "application/json", statusCode: status);
}
