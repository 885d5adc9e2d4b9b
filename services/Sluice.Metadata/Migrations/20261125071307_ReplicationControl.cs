using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sluice.Metadata.Migrations
{
    /// <inheritdoc />
    public partial class ReplicationControl : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "default_acks",
                table: "streams",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "All");

            migrationBuilder.AddColumn<long[]>(
                name: "isr_node_epochs",
                table: "shards",
                type: "bigint[]",
                nullable: false,
                defaultValue: new long[0]);

            // Existing shards: each ISR member at its node's current epoch, parallel to isr (0 for
            // a member whose node never registered, which the controller then treats as restarted).
            migrationBuilder.Sql("""
                UPDATE shards s
                   SET isr_node_epochs = ARRAY(
                       SELECT COALESCE(n.node_epoch, 0)
                         FROM unnest(s.isr) WITH ORDINALITY AS m(node_id, ordinal)
                         LEFT JOIN storage_nodes n ON n.id = m.node_id
                        ORDER BY m.ordinal);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "default_acks",
                table: "streams");

            migrationBuilder.DropColumn(
                name: "isr_node_epochs",
                table: "shards");
        }
    }
}
