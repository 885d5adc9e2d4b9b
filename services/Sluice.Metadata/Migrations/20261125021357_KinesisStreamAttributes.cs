using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sluice.Metadata.Migrations
{
    /// <inheritdoc />
    public partial class KinesisStreamAttributes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "encryption",
                table: "streams",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "None");

            migrationBuilder.AddColumn<string>(
                name: "encryption_key_id",
                table: "streams",
                type: "character varying(2048)",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "mode",
                table: "streams",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Provisioned");

            migrationBuilder.AddColumn<string>(
                name: "tags",
                table: "streams",
                type: "jsonb",
                nullable: false,
                defaultValue: "{}");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "encryption",
                table: "streams");

            migrationBuilder.DropColumn(
                name: "encryption_key_id",
                table: "streams");

            migrationBuilder.DropColumn(
                name: "mode",
                table: "streams");

            migrationBuilder.DropColumn(
                name: "tags",
                table: "streams");
        }
    }
}
