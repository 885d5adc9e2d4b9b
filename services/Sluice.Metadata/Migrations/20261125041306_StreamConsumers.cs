using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Sluice.Metadata.Migrations
{
    /// <inheritdoc />
    public partial class StreamConsumers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "stream_consumers",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    stream_id = table.Column<long>(type: "bigint", nullable: false),
                    name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    deleting_since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stream_consumers", x => x.id);
                    table.CheckConstraint("ck_stream_consumers_name", "name ~ '^[a-zA-Z0-9_.-]{1,128}$'");
                    table.ForeignKey(
                        name: "fk_stream_consumers_streams_stream_id",
                        column: x => x.stream_id,
                        principalTable: "streams",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "consumer_subscriptions",
                columns: table => new
                {
                    consumer_id = table.Column<long>(type: "bigint", nullable: false),
                    shard_index = table.Column<int>(type: "integer", nullable: false),
                    subscription_id = table.Column<Guid>(type: "uuid", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_consumer_subscriptions", x => new { x.consumer_id, x.shard_index });
                    table.ForeignKey(
                        name: "fk_consumer_subscriptions_stream_consumers_consumer_id",
                        column: x => x.consumer_id,
                        principalTable: "stream_consumers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_consumer_subscriptions_subscription_id",
                table: "consumer_subscriptions",
                column: "subscription_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_stream_consumers_stream_id_name",
                table: "stream_consumers",
                columns: new[] { "stream_id", "name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "consumer_subscriptions");

            migrationBuilder.DropTable(
                name: "stream_consumers");
        }
    }
}
