using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Promotion.Host.Endpoints;

/// <summary>OpenAPI metadata for endpoints that read their JSON body themselves.</summary>
internal static class OpenApiBodies
{
    /// <summary>
    /// Describes, in the OpenAPI document only, the JSON body <typeparamref name="TRequest"/> (an
    /// array of its element type when it is an array) that the endpoint reads itself with
    /// <see cref="ApiProblems.ReadJsonAsync{T}"/>, and the problems reading it may answer: 400
    /// (malformed or invalid), 413 (too large), 415 (not JSON). Unlike <c>Accepts</c> it adds no
    /// <c>IAcceptsMetadata</c>, so routing still hands every content type to the handler, which
    /// answers a non-JSON body with its own 415 problem.
    /// </summary>
    public static RouteHandlerBuilder AcceptsJson<TRequest>(this RouteHandlerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .AddOpenApiOperationTransformer(async (operation, context, ct) =>
            {
                var type = typeof(TRequest);
                var element = type.IsArray ? type.GetElementType()! : type;
                var schema = await ComponentSchemaAsync(element, context, ct);
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new() { Schema = type.IsArray ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = schema } : schema },
                    },
                };
            })
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    // The schema of a type as a reference to components/schemas/{type name}, as Accepts<T> gives.
    private static async Task<IOpenApiSchema> ComponentSchemaAsync(Type type, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var schema = await context.GetOrCreateSchemaAsync(type, null, ct);
        if (context.Document is not { } document)
        {
            return schema;
        }

        document.AddComponent(type.Name, schema);
        return new OpenApiSchemaReference(type.Name, document);
    }
}
