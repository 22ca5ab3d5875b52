using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Promotion.Engine.HotGoods;
using Promotion.Infrastructure.Quartz;
using Quartz;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Quartz.NET scheduler that fires hot-goods schedules.</summary>
public static class QuartzSchedulerServiceCollectionExtensions
{
    /// <summary>
    /// Registers Quartz with settings from <paramref name="section"/> (<c>Promotion:Quartz</c>) and
    /// the hot-goods triggers on it. With <paramref name="postgresConnectionString"/> (distributed
    /// profile) the store is the clustered AdoJobStore on PostgreSQL, System.Text.Json serialized,
    /// tables created when missing, node <paramref name="instanceId"/>; without it, Quartz's RAM
    /// store. Every host can schedule, pause and delete; only when <paramref name="startScheduler"/>
    /// (the scheduler role) does this host fire triggers.
    /// </summary>
    /// <exception cref="OptionsValidationException">A setting is invalid; the message names its key.</exception>
    public static IServiceCollection AddPromotionQuartz(this IServiceCollection services, IConfiguration section, string? postgresConnectionString, string instanceId, bool startScheduler)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        // Read now rather than through IOptions: they shape the registrations themselves.
        var o = section.Get<SchedulerOptions>() ?? new SchedulerOptions();
        if (o.Validate() is { Count: > 0 } errors)
        {
            throw new OptionsValidationException("Promotion:Quartz", typeof(SchedulerOptions), errors);
        }

        services.AddSingleton(Options.Options.Create(o));
        services.TryAddSingleton(TimeProvider.System);
        services.AddTransient<HotGoodsFiringJob>();
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                // One name for the whole cluster; the node is told apart by its instance id (the host's node id).
                s.InstanceName = "promotion";
                s.InstanceId = instanceId;
                s.IdleWaitTime = o.IdleWaitTime;
            });
            q.UseDefaultThreadPool(o.MaxConcurrentFirings);
            if (postgresConnectionString is null)
            {
                q.UseInMemoryStore(m => m.MisfireThreshold = o.MisfireThreshold);
                return;
            }

            q.UsePersistentStore(store =>
            {
                store.UsePostgres(postgresConnectionString);
                store.UseSystemTextJsonSerializer();
                store.UseClustering(c =>
                {
                    c.CheckinInterval = o.ClusterCheckinInterval;
                    c.CheckinMisfireThreshold = o.ClusterCheckinMisfireThreshold;
                });
                // Safe with several hosts starting at once: whichever loses the race finds the tables made.
                store.ProvisionSchema();
                store.ConfigureStore(s =>
                {
                    s.TablePrefix = o.TablePrefix;
                    s.MisfireThreshold = o.MisfireThreshold;
                    // Job data is only the schedule id: keep it readable in the table.
                    s.StoreJobDataAsStrings = true;
                });
            });
        });
        if (startScheduler)
        {
            services.AddQuartzHostedService(h => h.WaitForJobsToComplete = true);
        }

        services.AddSingleton<IHotGoodsTriggers, QuartzHotGoodsTriggers>();
        return services;
    }
}
